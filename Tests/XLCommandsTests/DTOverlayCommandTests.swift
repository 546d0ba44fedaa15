// SPDX-License-Identifier: Apache-2.0
import TestSupport
import XCTest
import XenSimulator
import XenTypes

final class DTOverlayCommandTests: XCTestCase {
    func testAddListAttachRemoveAcrossInvocations() throws {
        let xl = try XLRunner()
        let overlay = try xl.dtbo("eth.dtbo", OverlaySources.device())
        var result = xl("dt-overlay", "add", overlay)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")

        result = xl("dt-overlay", "add", overlay)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "dt-overlay add \(overlay): this overlay is already added (from \(overlay)); remove it first\n")

        result = xl("dt-overlay", "list")
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("/soc/ethernet@9100000"), result.stdout)

        XCTAssertEqual(xl("dt-overlay", "attach", overlay, "Domain-0").status, 0)
        let routed = try xl.withHost { $0.hypervisor.state.domains[0].routedIRQs }
        XCTAssertEqual(routed, [72, 73])

        result = xl("dt-overlay", "list", "--json")
        let records = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(records?.first?["domain"] as? Int, 0)
        XCTAssertEqual(records?.first?["irqs"] as? [Int], [72, 73])

        XCTAssertEqual(xl("dt-overlay", "remove", overlay).status, 0)
        XCTAssertEqual(xl("dt-overlay", "list").stdout, "")
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.hostTree, state.bootTree)
        XCTAssertEqual(state.overlays, [])
    }

    func testEveryBadOverlayFileFailsWithItsOwnMessageAndChangesNothing() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("dt-overlay", "add", try xl.dtbo("base.dtbo", OverlaySources.device("base@9400000", address: 0x940_0000, spis: [60]))).status, 0)
        let good = try DeviceTreeTools.compile(OverlaySources.device())
        var corrupt = good
        corrupt[Int(good[11]) | Int(good[10]) << 8 + 3] = 0x7f
        let cases: [(String, [UInt8], String)] = [
            ("empty.dtbo", [], "the file is empty"),
            ("huge.dtbo", [UInt8](repeating: 0, count: 512_001), "512001 bytes; Xen accepts overlays of at most 512000 bytes"),
            ("text.dtbo", Array("this is plainly not a device tree blob, just text".utf8), "not a flattened device tree (bad magic number)"),
            ("short.dtbo", Array(good.prefix(20)), "not a flattened device tree (bad magic number)"),
            ("trailing.dtbo", good + [0, 0, 0, 0], "the header's totalsize (\(good.count) bytes) differs from the blob's size (\(good.count + 4) bytes)"),
            ("corrupt.dtbo", corrupt, "not a valid flattened device tree: unknown token 0x7f at offset 0 of the structure block"),
            ("plain.dtb", try DeviceTreeTools.compile("/dts-v1/;\n/ { node { }; };"), "not a device-tree overlay: no fragment has an __overlay__ node"),
        ]
        for (name, bytes, message) in cases {
            let path = try xl.file(name, bytes)
            let before = xl.snapshot()
            let result = xl("dt-overlay", "add", path)
            XCTAssertEqual(result.status, 1, name)
            XCTAssertTrue(result.stderr.hasPrefix("\(path): \(message)"), "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, name)
            XCTAssertEqual(xl.snapshot(), before, name)
        }
        let missing = xl("dt-overlay", "add", xl.scratch.appendingPathComponent("nope.dtbo").path)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasSuffix("nope.dtbo: no such file\n"), missing.stderr)
        let directory = xl("dt-overlay", "add", xl.scratch.path)
        XCTAssertTrue(directory.stderr.contains("is a directory"), directory.stderr)
        let device = xl("dt-overlay", "add", "/dev/null")
        XCTAssertEqual(device.stderr, "/dev/null: not a regular file\n")
    }

    func testChecksAgainstTheHostTreeAndTheRunningRelease() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("dt-overlay", "add", try xl.dtbo("first.dtbo", OverlaySources.device())).status, 0)
        let cases: [(String, String, String)] = [
            ("missing.dtbo", OverlaySources.device(target: "/nowhere"), "fragment@0 targets /nowhere, which does not exist in the host device tree"),
            ("label.dtbo", OverlaySources.device("x@9500000", target: "&soc", address: 0x950_0000), "fragment@0 uses target <&soc>; Xen 4.19 resolves only target-path (label targets need Xen 4.22)"),
            ("root.dtbo", OverlaySources.device("y@9600000", target: "/", address: 0x960_0000), "fragment@0 targets the root node; Xen 4.19 cannot add nodes at / (fixed in 4.20), use a bus such as /soc"),
            ("again.dtbo", OverlaySources.device(spis: [44]), "node /soc/ethernet@9100000 already exists, added by overlay"),
            ("props.dtbo", "/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { status = \"okay\"; }; }; };", "fragment@0 adds no nodes; Xen supports only overlays that add nodes"),
        ]
        for (name, source, message) in cases {
            let path = try xl.dtbo(name, source)
            let before = xl.snapshot()
            let result = xl("dt-overlay", "add", path)
            XCTAssertEqual(result.status, 1, name)
            XCTAssertTrue(result.stderr.hasPrefix("dt-overlay add \(path): \(message)"), "\(name): \(result.stderr)")
            XCTAssertEqual(xl.snapshot(), before, name)
        }
    }

    func testNodeAlreadyInTheHostTreeOnXen420() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("uart.dtbo", OverlaySources.device("pl011@9000000", target: "/", address: 0x900_0000))
        let result = xl.run(["--xen-version", "4.20", "dt-overlay", "add", path])
        XCTAssertEqual(result.stderr, "dt-overlay add \(path): node /pl011@9000000 already exists in the host device tree\n")
        XCTAssertEqual(result.status, 1)
    }

    func testLabelTargetsWorkOnXen422() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("label.dtbo", OverlaySources.device(target: "&soc"))
        XCTAssertEqual(xl.run(["--xen-version", "4.22", "dt-overlay", "add", path]).status, 0)
        XCTAssertTrue(xl("dt-overlay", "list").stdout.contains("/soc/ethernet@9100000"))
    }

    func testRemoveAndAttachOfAnOverlayNeverAdded() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        for step in ["remove", "attach"] {
            let arguments = step == "attach" ? ["dt-overlay", step, path, "0"] : ["dt-overlay", step, path]
            let result = xl.run(arguments)
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix("dt-overlay \(step) \(path): this overlay was never added"), result.stderr)
        }
    }

    func testAttachChecksTheDomain() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        let domU = try xl.withHost { host in
            let id = host.hypervisor.addDomain(memoryKiB: 262_144, vcpus: 1, directMapped: false, iommu: true)
            try host.xenstore.write("/local/domain/\(id)/name", string: "guest")
            return id
        }
        let cases: [([String], String)] = [
            (["7"], "dt-overlay attach \(path): domain 7 does not exist"),
            (["nobody"], "dt-overlay attach \(path): nobody is not the name or id of any domain"),
            (["guest"], "dt-overlay attach \(path): domain \(domU) is not direct-mapped; Xen gives overlay devices only 1:1"),
        ]
        for (domain, message) in cases {
            let before = xl.snapshot()
            let result = xl.run(["dt-overlay", "attach", path] + domain)
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix(message), result.stderr)
            XCTAssertEqual(xl.snapshot(), before)
        }
        XCTAssertEqual(xl("dt-overlay", "attach", path, "0").status, 0)
        let again = xl("dt-overlay", "attach", path, "0")
        XCTAssertTrue(again.stderr.hasPrefix("dt-overlay attach \(path): already attached to domain 0"), again.stderr)
    }

    /// Xen's remove leaves dom0's IRQ routing and MMIO mappings in place, and routing an IRQ again to the
    /// domain that has it succeeds: the same overlay can be added and attached to dom0 again.
    func testAnOverlayRemovedFromDom0CanBeAttachedAgain() throws {
        let xl = try XLRunner()
        let overlay = try xl.dtbo("eth.dtbo", OverlaySources.device())
        for round in 1...2 {
            XCTAssertEqual(xl("dt-overlay", "add", overlay).status, 0, "round \(round)")
            let attach = xl("dt-overlay", "attach", overlay, "0")
            XCTAssertEqual(attach.status, 0, "round \(round): \(attach.stderr)")
            XCTAssertEqual(xl("dt-overlay", "remove", overlay).status, 0, "round \(round)")
        }
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains[0].routedIRQs }, [72, 73])
    }

    func testAttachRefusesAnIRQAnotherOverlayHolds() throws {
        let xl = try XLRunner()
        let first = try xl.dtbo("a.dtbo", OverlaySources.device())
        let second = try xl.dtbo("b.dtbo", OverlaySources.device("other@9200000", address: 0x920_0000, spis: [41]))
        XCTAssertEqual(xl("dt-overlay", "add", first).status, 0)
        XCTAssertEqual(xl("dt-overlay", "add", second).status, 0)
        XCTAssertEqual(xl("dt-overlay", "attach", first, "0").status, 0)
        let result = xl("dt-overlay", "attach", second, "0")
        XCTAssertEqual(result.stderr, "dt-overlay attach \(second): IRQ 73 is already given to domain 0 by overlay \(first)\n")
    }

    func testRemoveRefusesWhileARunningDomUHoldsTheDevices() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        let domU = try xl.withHost { $0.hypervisor.addDomain(memoryKiB: 1024, vcpus: 1, directMapped: true, iommu: true) }
        XCTAssertEqual(xl("dt-overlay", "attach", path, String(domU.rawValue)).status, 0)
        let result = xl("dt-overlay", "remove", path)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("attached to domain \(domU); Xen cannot take them back from a running domU"), result.stderr)
        try xl.withHost { try $0.hypervisor.removeDomain(domU) }
        XCTAssertEqual(xl("dt-overlay", "remove", path).status, 0)
    }

    func testReleaseDifferences() throws {
        let old = try XLRunner()
        let path = try old.dtbo("eth.dtbo", OverlaySources.device())
        var result = old.run(["--xen-version", "4.17", "dt-overlay", "add", path])
        XCTAssertEqual(result.stderr, "dt-overlay add \(path): Xen 4.17 has no device-tree overlays (they arrived in Xen 4.18)\n")

        let xen418 = try XLRunner()
        XCTAssertEqual(xen418.run(["--xen-version", "4.18", "dt-overlay", "add", path]).status, 0)
        XCTAssertEqual(try xen418.withHost { $0.hypervisor.state.domains[0].routedIRQs }, [72, 73])
        result = xen418("dt-overlay", "attach", path, "0")
        XCTAssertTrue(result.stderr.hasPrefix("dt-overlay attach \(path): Xen 4.18 has no attach"), result.stderr)
        XCTAssertTrue(xen418("dt-overlay", "list").stdout.contains("       0  /soc/ethernet@9100000"))
    }

    func testHypercallFailureIsExplainedAndLeavesNoRecord() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_SYSCTL_dt_overlay"] = .EOPNOTSUPP }
        let xenstoreBefore = xl.snapshot()["xenstore.json"]
        let result = xl("dt-overlay", "add", path)
        XCTAssertEqual(result.stderr, "dt-overlay add \(path): Xen refused XEN_SYSCTL_dt_overlay with EOPNOTSUPP (Operation not supported): Xen was built without CONFIG_OVERLAY_DTB (an UNSUPPORTED option)\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(xl("dt-overlay", "list").stdout, "")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays }, [])
        // Not even the registry directory the interrupted-add record created (found on real Xen 4.20).
        XCTAssertEqual(xl.snapshot()["xenstore.json"], xenstoreBefore)
    }

    func testDryRunPrintsThePlanAndChangesNothing() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "list").status, 0)
        let before = xl.snapshot()
        let result = xl("-N", "dt-overlay", "add", path)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("would call XEN_SYSCTL_dt_overlay (cmd 30, interface version 0x15) op=add size="), result.stdout)
        XCTAssertTrue(result.stdout.contains("would add: /soc/ethernet@9100000"))
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testUsageErrorsExitTwo() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("dt-overlay", "frob").status, 2)
        XCTAssertEqual(xl("dt-overlay", "attach", "x.dtbo").status, 2)
        XCTAssertEqual(xl("dt-overlay", "add").status, 2)
        XCTAssertEqual(xl("--bogus", "dt-overlay", "list").status, 2)
        XCTAssertEqual(xl().status, 2)
        let help = xl("dt-overlay", "add", "-h")
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: xl dt-overlay add <FILE>"), help.stdout)
        let version = xl.run(["--xen-version", "banana", "dt-overlay", "list"])
        XCTAssertEqual(version.stderr, "--xen-version banana: give a Xen release from 4.17 on, such as 4.19\n")
    }

    func testConcurrentProcessesOnOneHostSerialise() throws {
        let xl = try XLRunner()
        let binary = try XCTUnwrap(XLRunner.binary, "the xl executable is not built next to the tests")
        var processes: [Process] = []
        for i in 0..<6 {
            let address = UInt32(0xA00_0000 + i * 0x10_0000)
            let source = OverlaySources.device("dev@" + String(address, radix: 16), address: address, spis: [UInt32(100 + i)])
            let process = Process()
            process.executableURL = binary
            process.arguments = ["--simulate", xl.directory, "dt-overlay", "add", try xl.dtbo("dev\(i).dtbo", source)]
            let errors = xl.scratch.appendingPathComponent("stderr\(i)")
            XCTAssertTrue(FileManager.default.createFile(atPath: errors.path, contents: nil))
            process.standardError = try FileHandle(forWritingTo: errors)
            processes.append(process)
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        let messages = try (0..<processes.count).map { try String(contentsOf: xl.scratch.appendingPathComponent("stderr\($0)"), encoding: .utf8) }
        XCTAssertEqual(processes.map(\.terminationStatus), [Int32](repeating: 0, count: processes.count), messages.joined())
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays.count }, processes.count)
        XCTAssertEqual(xl("dt-overlay", "list").stdout.split(separator: "\n").count, processes.count + 1)
    }
}
