// SPDX-License-Identifier: Apache-2.0
import Foundation
import OverlayHandoff
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// The two halves as separate processes against the real C xenstored: dom0's half in this test
/// process on the daemon's socket, the guest's half `get_overlay.sh` + `get_overlay` in a child
/// process that talks to the daemon as domain 12 through its ring (the fakexen shim's xenbus
/// device). The pages are the simulator's grant files, mapped by both processes.
final class RealXenstoredHandoffTests: XCTestCase {
    static let guest: DomainID = 12

    private struct Setup {
        let daemon: Xenstored
        let dom0: LibXenStoreBackend
        let host: String
        let script: GuestScript
        let environment: [String: String]
    }

    private func prepare() throws -> Setup {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        try XCTSkipIf(GuestScript.binary == nil, "get_overlay is not built next to the tests")
        let daemon = try Xenstored(guestRings: true)
        let dom0 = try LibXenStoreBackend(socketPath: daemon.socketPath)
        try dom0.introduceDomain(Self.guest, mfn: 0x1234, eventChannel: 5)
        try dom0.mkdir("/local/domain/12", in: nil)
        try dom0.setPermissions("/local/domain/12", [XenStorePermission(.none, .dom0), XenStorePermission(.read, Self.guest)], in: nil)
        try dom0.write("/local/domain/12/domid", string: "12")
        try dom0.write("/local/domain/12/data", string: "")
        try dom0.setPermissions("/local/domain/12/data", [XenStorePermission(.none, Self.guest)], in: nil)
        // A simulated host only for domain 12's record and the grant files.
        let host = try DeviceTreeTools.scratch().appendingPathComponent("host").path
        let simulated = try SimulatedHost.open(directory: host, xenstoredSocket: daemon.socketPath)
        simulated.hypervisor.state.nextDomainID = Self.guest.rawValue
        XCTAssertEqual(simulated.hypervisor.addDomain(memoryKiB: 65536, vcpus: 1, directMapped: true, iommu: true), Self.guest)
        try simulated.save()
        simulated.close()
        let script = try GuestScript()
        return Setup(daemon: daemon, dom0: dom0, host: host, script: script, environment: script.environment(try daemon.guestEnvironment(12)))
    }

    private func guest(_ setup: Setup) throws -> GuestScript.Run {
        try setup.script.start(["--once", "--simulate", setup.host, "--domain", "12", "--timeout", "20", "--wait", "30", "-v"], environment: setup.environment)
    }

    func testOverlaysOfOnePageAPageAndAByteAndTheLimitArriveByteForByte() throws {
        let setup = try prepare()
        for size in [4096, 4097, HandoffNodes.maximumSize] {
            let blob = try DeviceTreeTools.overlay(ofSize: size, seed: UInt64(size))
            let run = try guest(setup)
            let sender = try OverlaySender(xenstore: setup.dom0, domain: Self.guest, request: try GuestOverlayRequest(name: "ov\(size)", type: "normal", partial: "0"), timeout: 20)
            try sender.deliver(blob) { try SimulatedGrantTable(hostDirectory: setup.host).mapper() }
            try sender.commit()
            sender.finish()
            let result = run.wait()
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout, "applied normal overlay ov\(size)\n")
            let arrived = try Data(contentsOf: setup.script.item("ov\(size)").appendingPathComponent("dtbo"))
            XCTAssertEqual(arrived.count, size)
            XCTAssertTrue(arrived.elementsEqual(blob), "\(size) bytes byte for byte")
            XCTAssertEqual(try setup.dom0.children(HandoffNodes.base(of: Self.guest)), [], "nodes removed afterwards")
        }
        // The guest can write only its own nodes: the daemon refused a write to dom0's.
        XCTAssertTrue(try setup.dom0.children("/local/domain/12/data").isEmpty)
        XCTAssertTrue(try SimulatedGrantTable(hostDirectory: setup.host).grants().isEmpty)
    }

    func testRemoveAndAGuestThatRefuses() throws {
        let setup = try prepare()
        let request = try GuestOverlayRequest(name: "missing", type: "normal", partial: "0")
        let run = try guest(setup)
        let sender = try OverlaySender(xenstore: setup.dom0, domain: Self.guest, request: request, timeout: 20)
        XCTAssertThrowsError(try sender.remove()) { error in
            XCTAssertEqual((error as? HandoffError)?.message, "domain 12's get_overlay could not remove overlay missing: get_overlay.sh: overlay missing is not applied (no \(setup.script.item("missing").path))")
        }
        sender.finish()
        XCTAssertEqual(run.wait().status, 1)
        XCTAssertEqual(try setup.dom0.children(HandoffNodes.base(of: Self.guest)), [])
    }
}
