// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// Normal mode's `xl dt-overlay add FILE DOMAIN ...` killed with SIGKILL before each of its steps,
/// with the guest's `get_overlay.sh` running: `xl dt-overlay list` shows what Xen holds, and the
/// cleanup is what an overlay in that state always takes: nothing in Xen, or only added, is retried
/// (after `xl dt-overlay remove FILE`), and the stale hand-off slot is taken over; once Xen gave the
/// devices to the domU, which keeps them (Xen has no detach), `xl destroy` and `xl dt-overlay remove`.
final class HandoffKillPointTests: XCTestCase {
    /// The guest programs running beside each host, by host directory.
    private final class Guests {
        var runs: [String: GuestScript.Run] = [:]
    }
    private let guests = Guests()

    override func setUpWithError() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        try XCTSkipIf(KillPoints.binary("xl") == nil || GuestScript.binary == nil, "xl and get_overlay are not built next to the tests")
    }

    private static let source = OverlaySources.device(extra: "interrupt-parent = <&gic>;")

    private func overlay(_ host: KillPointHost) -> String { host.scratch.appendingPathComponent("eth.dtbo").path }

    private func command(_ host: KillPointHost) -> [String] {
        ["dt-overlay", "add", overlay(host), "guest", "eth", "normal", "0", "--timeout", "20"]
    }

    /// Starts `get_overlay.sh --once` as domain 1 of the host.
    private func startGuest(_ host: KillPointHost) throws {
        let script = try GuestScript()
        var environment = script.environment()
        environment["XENSTORED_PATH"] = nil
        guests.runs[host.directory] = try script.start(
            ["--once", "--simulate", host.directory, "--domain", "1", "--timeout", "20", "--wait", "30"], environment: environment)
    }

    /// Ends the guest program and everything it started, by process id.
    @discardableResult
    private func stopGuest(_ host: KillPointHost) -> String {
        guard let run = guests.runs.removeValue(forKey: host.directory) else { return "" }
        func descendants(_ pid: Int32) -> [Int32] {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            let children = text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return children + children.flatMap(descendants)
        }
        for pid in [run.processIdentifier] + descendants(run.processIdentifier) { kill(pid, SIGKILL) }
        let result = run.wait()
        return result.stdout + result.stderr
    }

    private func handoffCase() -> KillPointCase {
        KillPointCase(
            setup: { host in
                if !FileManager.default.fileExists(atPath: self.overlay(host)) {
                    try Data(try DeviceTreeTools.compile(Self.source)).write(to: URL(fileURLWithPath: self.overlay(host)))
                }
                // A direct-mapped domU whose home lets it write `data`, as init-dom0less leaves it.
                try host.boot { booted in
                    let id = booted.hypervisor.addDomain(memoryKiB: 262_144, vcpus: 1, directMapped: true, iommu: true)
                    let home = "/local/domain/\(id)"
                    try booted.xenstore.mkdir(home, in: nil)
                    try booted.xenstore.setPermissions(home, [XenStorePermission(.none, .dom0), XenStorePermission(.read, id)], in: nil)
                    try booted.xenstore.write(home + "/name", string: "guest")
                    try booted.xenstore.write(home + "/domid", string: String(id.rawValue))
                    try booted.xenstore.write(home + "/data", string: "")
                    try booted.xenstore.setPermissions(home + "/data", [XenStorePermission(.none, id)], in: nil)
                }
                try self.startGuest(host)
            },
            command: command,
            cleanUp: { host, context in
                self.stopGuest(host)
                let path = self.overlay(host)
                let list = try host.run(["dt-overlay", "list"])
                XCTAssertEqual(list.status, 0, "\(context): \(list.stderr)")
                let row = list.stdout.split(separator: "\n").first { $0.hasPrefix(path) || $0.contains("eth.dtbo") }
                let columns = row.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) } ?? []
                let inXen = try host.hypervisor().overlays.first
                if let inXen {
                    XCTAssertNotNil(row, "\(context): Xen has the overlay, dt-overlay list does not show it\n\(list.stdout)")
                    if row?.contains("unfinished") == false {
                        XCTAssertEqual(columns.dropFirst(2).first, inXen.attachedTo.map { String($0.rawValue) } ?? "-", "\(context)\n\(list.stdout)")
                    }
                } else if let row {
                    XCTAssertTrue(row.contains("unfinished"), "\(context): listed as added, but Xen does not have it\n\(list.stdout)")
                }
                if columns.dropFirst(2).first == "1" {
                    // The domU holds the devices: as for any attached overlay, destroy it, then remove.
                    XCTAssertEqual(try host.run(["destroy", "guest"]).status, 0, context)
                    let remove = try host.run(["dt-overlay", "remove", path])
                    XCTAssertEqual(remove.status, 0, "\(context): remove: \(remove.stderr)")
                    return
                }
                if row != nil {
                    let remove = try host.run(["dt-overlay", "remove", path])
                    XCTAssertEqual(remove.status, 0, "\(context): remove: \(remove.stderr)")
                }
                // Retry the hand-off with the guest's program started again.
                try self.startGuest(host)
                let retry = try host.run(self.command(host))
                let guest = self.stopGuest(host)
                XCTAssertEqual(retry.status, 0, "\(context): the retried hand-off: \(retry.stderr); the guest: \(guest)")
            })
    }

    func testNormalModeAddKilledAtEveryStep() throws {
        let report = try handoffCase().check(realXenstored: false)
        for failure in report.failures { XCTFail(failure) }
        XCTAssertEqual(report.cleaned, report.points, "kill points cleaned up")
        print("kill points: xl dt-overlay add FILE guest eth normal 0 (xenstore.json): \(report.cleaned) of \(report.points) cleaned up")
    }
}
