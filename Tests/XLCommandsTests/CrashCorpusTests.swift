// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XLCommands
import XenSimulator

/// Every file of `Tests/CrashCorpus` (inputs that once crashed a tool, and the fuzzers' finds)
/// through every command that reads a device tree: each ends in exit status 0 or in one line on
/// stderr with exit status 1 and nothing changed, never in a crash.
final class CrashCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CrashCorpus")

    /// The corpus files, sorted by name.
    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The crash classes of issue 12, each with the command that crashed and the line it gives now.
    func testEachCrashClassGetsItsOwnLine() throws {
        let overlays: [(String, String)] = [
            ("f1-header-version-2.dtbo", "not a valid flattened device tree: header version 2 (last compatible 1); version 17 is expected, as dtc writes it"),
            ("f1-header-version-3.dtbo", "not a valid flattened device tree: header version 3 (last compatible 2); version 17 is expected, as dtc writes it"),
            ("f2-local-fixup-offset.dtbo", "overlay node /__local_fixups__/fragment@0/__overlay__/dev@2: property interrupt-parent names byte offset 2147483632 of /fragment@0/__overlay__/dev@2 interrupt-parent, which holds 4 bytes"),
            ("bad-fixup-offset.dtbo", "overlay node /__fixups__: property gic names byte offset 4096 of /fragment@0/__overlay__/dev@2 interrupt-parent, which holds 4 bytes"),
            ("f3-empty-node-name.dtbo", "not a valid flattened device tree: node /fragment@0/__overlay__/dev@1 has a subnode with an empty name"),
            ("f5-negative-property-length.dtbo", "not a valid flattened device tree: node /fragment@0/__overlay__/dev@1: a property of 4294967292 bytes runs past the structure block"),
            ("bad-huge-property-length.dtbo", "not a valid flattened device tree: node /fragment@0/__overlay__/dev@1: a property of 2147483648 bytes runs past the structure block"),
        ]
        let xl = try XLRunner()
        let domU = try NormalModeFixtures.domU(xl)
        for (name, message) in overlays {
            let path = Self.corpus.appendingPathComponent(name).path
            for arguments in [["dt-overlay", "add", path], ["dt-overlay", "add", path, "0"], ["-N", "dt-overlay", "add", path, String(domU.rawValue), "dev", "normal", "0"]] {
                let before = xl.snapshot()
                let result = xl.run(arguments)
                XCTAssertEqual(result.status, 1, "\(arguments)")
                XCTAssertEqual(result.stderr, "\(path): \(message)\n", "\(arguments)")
                XCTAssertEqual(xl.snapshot(), before, "\(arguments)")
            }
        }

        let partials: [(String, String)] = [
            ("f3-empty-node-name-partial.dtb", "not a valid flattened device tree: node /passthrough has a subnode with an empty name"),
            ("f4-zero-cells-ranges-partial.dtb", "node /passthrough/a: ranges does not match its cell counts (#address-cells = <0>, #size-cells = <0>, #address-cells = <0> of /passthrough)"),
        ]
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        for (name, message) in partials {
            let path = Self.corpus.appendingPathComponent(name).path
            let config = try xl.file("\(name).cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 128\ndevice_tree = \"\(path)\"\n".utf8))
            let before = xl.snapshot()
            let result = xl("--host-dtb", hostDTB, "create", config)
            XCTAssertEqual(result.status, 1, name)
            XCTAssertEqual(result.stderr, "device_tree \(path): \(message)\n", name)
            XCTAssertEqual(xl.snapshot(), before, name)
        }

        // As the host's tree: a dtdev under a bus whose cells are all 0 is refused, not divided by zero.
        let zeroCells = Self.corpus.appendingPathComponent("f4-zero-cells-ranges-host.dtb").path
        let fresh = try XLRunner()
        let config = try fresh.file("g.cfg", Array("name = \"g\"\nkernel = \"\(try fresh.file("Image", CreateFixtures.kernel))\"\nmemory = 128\ndtdev = [ \"/a/b/dev@0\" ]\n".utf8))
        XCTAssertEqual(fresh("--host-dtb", zeroCells, "list").status, 0)
        let before = fresh.snapshot()
        let result = fresh("create", config)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
        XCTAssertEqual(fresh.snapshot().keys.sorted(), before.keys.sorted())
    }

    /// Every corpus file as an overlay (plain, expert, normal mode), a partial tree, and a host tree
    /// for `xl` and `init-dom0less`.
    func testEveryCorpusFileThroughEveryCommand() throws {
        let files = try Self.files()
        XCTAssertGreaterThanOrEqual(files.count, 9)
        let xl = try XLRunner()
        let domU = try NormalModeFixtures.domU(xl)
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        for file in files {
            let path = file.path
            let config = try xl.file("\(file.lastPathComponent).cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 128\ndevice_tree = \"\(path)\"\n".utf8))
            let commands: [[String]] = [
                ["dt-overlay", "add", path],
                ["dt-overlay", "add", path, "0"],
                ["-N", "dt-overlay", "add", path, String(domU.rawValue), "dev", "normal", "0"],
                ["--host-dtb", hostDTB, "create", config],
                ["-N", "--host-dtb", hostDTB, "create", config],
            ]
            for arguments in commands {
                let before = xl.snapshot()
                let result = xl.run(arguments)
                if result.status == 0 { continue }
                XCTAssertEqual(result.status, 1, "\(file.lastPathComponent) \(arguments): \(result.stderr)")
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "\(file.lastPathComponent) \(arguments): \(result.stderr)")
                XCTAssertEqual(xl.snapshot(), before, "\(file.lastPathComponent) \(arguments)")
            }
            // As the tree a new simulated host boots with, for xl and for init-dom0less.
            for tool in ["xl", "init-dom0less"] {
                let host = try XLRunner()
                var errors = ""
                let capture = Output(stdout: { _ in }, stderr: { errors += $0 })
                let status = tool == "xl"
                    ? XLMain.run(["--host-dtb", path, "list"], environment: host.environment, output: capture)
                    : InitDom0lessMain.run(["--host-dtb", path], environment: host.environment, output: capture)
                XCTAssertTrue(status == 0 || status == 1, "\(tool) --host-dtb \(file.lastPathComponent): status \(status)")
                if status == 1 {
                    XCTAssertFalse(errors.isEmpty, "\(tool) --host-dtb \(file.lastPathComponent)")
                    XCTAssertNil(host.snapshot()["host.json"], "\(tool) --host-dtb \(file.lastPathComponent) left a host behind")
                }
            }
        }
    }
}
