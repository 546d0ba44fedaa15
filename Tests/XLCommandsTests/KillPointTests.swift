// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl` killed with SIGKILL before each step of create, dt-overlay add (plain and expert) and attach:
/// `xl list` and `xl dt-overlay list` show what Xen holds, and one ordinary command cleans up
/// (`xl destroy ID`, `xl dt-overlay remove FILE`). Steps are counted by tracing the command first.
final class KillPointTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        try XCTSkipIf(KillPoints.binary("xl") == nil, "xl is not built next to the tests")
    }

    private func write(_ host: KillPointHost, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = host.scratch.appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: path) { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    /// Runs every kill point of `kase`; prints the count for Docs/reliability.md.
    private func check(_ kase: KillPointCase, realXenstored: Bool, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try kase.check(realXenstored: realXenstored)
        for failure in report.failures { XCTFail(failure, file: file, line: line) }
        XCTAssertEqual(report.cleaned, report.points, "kill points cleaned up", file: file, line: line)
        print("kill points: \(name): \(report.cleaned) of \(report.points) cleaned up")
    }

    // MARK: xl create

    /// Seed 003's guest: passthrough of IRQs, iomem and a dtdev, a partial device tree, console and xenstore.
    private func createCase() -> KillPointCase {
        KillPointCase(
            setup: { host in
                let kernel = try self.write(host, "Image", CreateFixtures.kernel)
                let partial = try self.write(host, "guest-midway.dtb", try DeviceTreeTools.compile(CreateFixtures.partial()))
                _ = try self.write(host, "midway.cfg", Array(CreateFixtures.config(kernel: kernel, deviceTree: partial).utf8))
                try host.boot(hostDTB: try DeviceTree(validating: try DeviceTreeTools.compile(CreateFixtures.host)))
            },
            command: { ["create", "-e", $0.scratch.appendingPathComponent("midway.cfg").path] },
            cleanUp: { host, context in
                // `xl list` shows every domain Xen has, named or not; each is destroyed by id.
                let listed = try host.listedDomains()
                XCTAssertTrue(listed.truthful, "\(context): xl list\n\(listed.output)")
                for id in listed.ids where id != 0 {
                    let destroy = try host.run(["destroy", String(id)])
                    XCTAssertEqual(destroy.status, 0, "\(context): destroy \(id): \(destroy.stderr)")
                }
            })
    }

    func testCreateKilledAtEveryStepIsListedAndDestroyCleansUp() throws {
        try check(createCase(), realXenstored: false, "xl create (xenstore.json)")
    }

    func testDestroyKilledAtEveryStepIsListedAndDestroyAgainCleansUp() throws {
        var destroy = createCase()
        let create = destroy.setup
        destroy.setup = { host in
            try create(host)
            let run = try host.run(["create", "-e", host.scratch.appendingPathComponent("midway.cfg").path])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        destroy.command = { _ in ["destroy", "midway"] }
        try check(destroy, realXenstored: false, "xl destroy (xenstore.json)")
    }

    func testCreateKilledAtEveryStepWithTheRealXenstored() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        try check(createCase(), realXenstored: true, "xl create (real xenstored)")
    }

    // MARK: xl dt-overlay

    func testRemoveKilledAtEveryStepIsListedAndRemoveAgainCleansUp() throws {
        let remove = overlayCase(["dt-overlay", "remove", "FILE"], before: [["dt-overlay", "add", "FILE"]])
        try check(remove, realXenstored: false, "xl dt-overlay remove (xenstore.json)")
    }

    private static let overlay = OverlaySources.device()

    /// `xl dt-overlay list` must show every overlay Xen has; a record Xen does not have must say it is unfinished.
    private func overlayCleanUp(_ host: KillPointHost, _ context: String) throws {
        let path = try write(host, "eth.dtbo", try DeviceTreeTools.compile(Self.overlay))
        let list = try host.run(["dt-overlay", "list"])
        XCTAssertEqual(list.status, 0, "\(context): \(list.stderr)")
        let row = list.stdout.split(separator: "\n").first { $0.hasPrefix(path) || $0.contains("eth.dtbo") }
        let inXen = try host.hypervisor().overlays.first
        if let inXen {
            XCTAssertNotNil(row, "\(context): Xen has the overlay, dt-overlay list does not show it\n\(list.stdout)")
            if let row, !row.contains("unfinished") {
                XCTAssertEqual(row.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.map(String.init),
                               inXen.attachedTo.map { String($0.rawValue) } ?? "-", "\(context): the domain column\n\(list.stdout)")
            }
        } else if let row {
            XCTAssertTrue(row.contains("unfinished"), "\(context): listed as added, but Xen does not have it\n\(list.stdout)")
        }
        if row != nil {
            let remove = try host.run(["dt-overlay", "remove", path])
            XCTAssertEqual(remove.status, 0, "\(context): remove: \(remove.stderr)")
        }
    }

    private func overlayCase(_ command: [String], before: [[String]] = [], partial: [[String]] = []) -> KillPointCase {
        func resolve(_ arguments: [String], _ host: KillPointHost) -> [String] {
            arguments.map { $0 == "FILE" ? host.scratch.appendingPathComponent("eth.dtbo").path : $0 }
        }
        return KillPointCase(
            setup: { host in
                let path = try self.write(host, "eth.dtbo", try DeviceTreeTools.compile(Self.overlay))
                try host.boot()
                for arguments in before {
                    let run = try host.run(arguments.map { $0 == "FILE" ? path : $0 })
                    XCTAssertEqual(run.status, 0, run.stderr)
                }
            },
            command: { resolve(command, $0) },
            cleanUp: overlayCleanUp,
            partial: partial.map { arguments in { resolve(arguments, $0) } })
    }

    func testAddKilledAtEveryStepIsListedAndRemoveCleansUp() throws {
        try check(overlayCase(["dt-overlay", "add", "FILE"]), realXenstored: false, "xl dt-overlay add (xenstore.json)")
    }

    func testAddKilledAtEveryStepWithTheRealXenstored() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        try check(overlayCase(["dt-overlay", "add", "FILE"]), realXenstored: true, "xl dt-overlay add (real xenstored)")
    }

    func testExpertAddKilledAtEveryStepIsListedAndRemoveCleansUp() throws {
        let expert = overlayCase(["dt-overlay", "add", "FILE", "0"], partial: [["dt-overlay", "add", "FILE"]])
        try check(expert, realXenstored: false, "xl dt-overlay add FILE 0 (xenstore.json)")
    }

    func testAttachKilledAtEveryStepIsListedAndRemoveCleansUp() throws {
        let attach = overlayCase(["dt-overlay", "attach", "FILE", "0"], before: [["dt-overlay", "add", "FILE"]])
        try check(attach, realXenstored: false, "xl dt-overlay attach FILE 0 (xenstore.json)")
    }

    func testAnUnfinishedAddIsRefusedByAddAndAttachAndClearedByRemove() throws {
        let host = try KillPointHost(realXenstored: false, scratch: try DeviceTreeTools.scratch())
        let path = try write(host, "eth.dtbo", try DeviceTreeTools.compile(Self.overlay))
        let xl = try XCTUnwrap(KillPoints.binary("xl"))
        let killed = try KillPoints.run(xl, ["dt-overlay", "add", path], environment: host.environment.merging(["XL_SIMULATE_KILL_AT": "XEN_SYSCTL_dt_overlay"]) { $1 })
        XCTAssertTrue(killed.killed, killed.stderr)
        XCTAssertEqual(try host.hypervisor().overlays, [], "killed before the hypercall")
        XCTAssertTrue(try host.run(["dt-overlay", "list"]).stdout.contains("(add unfinished)"))
        let again = try host.run(["dt-overlay", "add", path])
        XCTAssertEqual(again.stderr, "dt-overlay add \(path): an earlier add of this overlay (from \(path)) was interrupted; `xl dt-overlay remove \(path)` clears it\n")
        let attach = try host.run(["dt-overlay", "attach", path, "0"])
        XCTAssertEqual(attach.stderr, "dt-overlay attach \(path): an earlier add of this overlay was interrupted; `xl dt-overlay remove \(path)` clears it\n")
        let remove = try host.run(["-v", "dt-overlay", "remove", path])
        XCTAssertEqual(remove.status, 0, remove.stderr)
        XCTAssertTrue(remove.stderr.contains("Xen does not have it"), remove.stderr)
        XCTAssertEqual(try host.run(["dt-overlay", "list"]).stdout, "")
        XCTAssertEqual(try host.run(["dt-overlay", "add", path]).status, 0)
    }
}
