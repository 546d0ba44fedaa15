// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// `xl network-attach` and `network-detach` killed with SIGKILL before each of their steps: `network-list`
/// shows what xenstore holds, and `network-detach` of each listed devid cleans up (nodes, interface, record).
final class DeviceKillPointTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        try XCTSkipIf(KillPoints.binary("xl") == nil, "xl is not built next to the tests")
    }

    private func setUpGuest(_ host: KillPointHost) throws {
        try host.boot()
        let kernel = host.scratch.appendingPathComponent("Image").path
        try Data(CreateFixtures.kernel).write(to: URL(fileURLWithPath: kernel))
        let config = host.scratch.appendingPathComponent("g.cfg").path
        try Data("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8).write(to: URL(fileURLWithPath: config))
        let created = try host.run(["create", "-e", config])
        XCTAssertEqual(created.status, 0, created.stderr)
    }

    /// Detaches every interface `network-list g` shows.
    private func detachListed(_ host: KillPointHost, _ context: String) throws {
        let list = try host.run(["network-list", "g"])
        XCTAssertEqual(list.status, 0, "\(context): \(list.stderr)")
        for line in list.stdout.split(separator: "\n").dropFirst() {
            guard let devid = line.split(separator: " ").first else { continue }
            let detach = try host.run(["network-detach", "g", String(devid)])
            XCTAssertEqual(detach.status, 0, "\(context): network-detach g \(devid): \(detach.stderr)")
        }
    }

    /// The guest's random uuid and its start time differ from host to host.
    private static func normalise(_ text: String) -> String {
        text.replacingOccurrences(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "UUID", options: .regularExpression)
            .replacingOccurrences(of: #"start_time = "[0-9.]+""#, with: "start_time", options: .regularExpression)
    }

    func testAttachKilledAtEveryStepIsListedAndDetachCleansUp() throws {
        let kase = KillPointCase(setup: setUpGuest, command: { _ in ["network-attach", "g"] }, cleanUp: detachListed, normalise: Self.normalise)
        let report = try kase.check(realXenstored: false)
        for failure in report.failures { XCTFail(failure) }
        XCTAssertEqual(report.cleaned, report.points)
        print("kill points: xl network-attach: \(report.cleaned) of \(report.points) cleaned up")
    }

    func testDetachKilledAtEveryStepIsListedAndDetachAgainCleansUp() throws {
        let kase = KillPointCase(
            setup: { host in
                try self.setUpGuest(host)
                let attached = try host.run(["network-attach", "g"])
                XCTAssertEqual(attached.status, 0, attached.stderr)
            },
            command: { _ in ["network-detach", "g", "0"] }, cleanUp: detachListed, normalise: Self.normalise)
        let report = try kase.check(realXenstored: false)
        for failure in report.failures { XCTFail(failure) }
        XCTAssertEqual(report.cleaned, report.points)
        print("kill points: xl network-detach: \(report.cleaned) of \(report.points) cleaned up")
    }
}
