// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenTypes

final class SimulatedOverlayTests: XCTestCase {
    private func host(_ version: XenVersion) throws -> SimulatedHypervisor {
        SimulatedHypervisor(state: SimulatedHostState(version: version, hostTree: try DefaultHostTree.make()))
    }

    private func blob(_ source: String) throws -> [UInt8] {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        return try DeviceTreeTools.compile(source)
    }

    private func assertErrno(_ expected: Errno, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? HypervisorError)?.errno, expected, "\(error)", file: file, line: line)
        }
    }

    func testAddOn419OnlyInsertsNodes() throws {
        let xen = try host(.v4_19)
        try xen.dtOverlay(.add, blob: try blob(OverlaySources.device()))
        XCTAssertTrue(try xen.hostTree().hasNode("/soc/ethernet@9100000"))
        XCTAssertEqual(xen.state.overlays.count, 1)
        XCTAssertEqual(xen.state.domains[0].routedIRQs, [])
        XCTAssertEqual(xen.state.domains[0].mmioMappings, [:])
    }

    func testAddOn418AlsoGivesTheDevicesToDom0() throws {
        let xen = try host(.v4_18)
        try xen.dtOverlay(.add, blob: try blob(OverlaySources.device()))
        XCTAssertEqual(xen.state.domains[0].routedIRQs, [72, 73])
        XCTAssertEqual(xen.state.domains[0].mmioMappings, [0x9100: 0x9100])
        assertErrno(.ENOSYS) { try xen.dtOverlayAttach(blob: try self.blob(OverlaySources.device()), to: .dom0) }
    }

    func testNoOverlaysBefore418() throws {
        assertErrno(.ENOSYS) { try self.host(.v4_17).dtOverlay(.add, blob: try self.blob(OverlaySources.device())) }
    }

    func testAttachToDom0RoutesAndMapsOneToOne() throws {
        let xen = try host(.v4_19)
        let overlay = try blob(OverlaySources.device())
        try xen.dtOverlay(.add, blob: overlay)
        try xen.dtOverlayAttach(blob: overlay, to: .dom0)
        XCTAssertEqual(xen.state.domains[0].routedIRQs, [72, 73])
        XCTAssertEqual(xen.state.domains[0].irqPermissions, [72, 73])
        XCTAssertEqual(xen.state.domains[0].mmioMappings, [0x9100: 0x9100])
        XCTAssertEqual(xen.state.overlays[0].attachedTo, .dom0)
    }

    func testPassthroughNodesGetPermissionsOnly() throws {
        let xen = try host(.v4_19)
        let overlay = try blob(OverlaySources.device(extra: "xen,passthrough;"))
        try xen.dtOverlay(.add, blob: overlay)
        try xen.dtOverlayAttach(blob: overlay, to: .dom0)
        XCTAssertEqual(xen.state.domains[0].irqPermissions, [72, 73])
        XCTAssertEqual(xen.state.domains[0].routedIRQs, [])
        XCTAssertEqual(xen.state.domains[0].mmioPermissions, [0x9100])
        XCTAssertEqual(xen.state.domains[0].mmioMappings, [:])
    }

    func testAttachErrnos() throws {
        let xen = try host(.v4_21)
        let overlay = try blob(OverlaySources.device())
        assertErrno(.EINVAL) { try xen.dtOverlayAttach(blob: overlay, to: .dom0) }
        try xen.dtOverlay(.add, blob: overlay)
        let domU = xen.addDomain(memoryKiB: 1024, vcpus: 1, directMapped: false, iommu: true)
        assertErrno(.EOPNOTSUPP) { try xen.dtOverlayAttach(blob: overlay, to: domU) }
        assertErrno(.ESRCH) { try xen.dtOverlayAttach(blob: overlay, to: 77) }
        try xen.dtOverlayAttach(blob: overlay, to: .dom0)
        // Before 4.22 a second attach runs again: route_irq_to_guest (4.20.4) accepts an IRQ routed to the
        // same domain and vIRQ, and the MMIO is mapped again, so it succeeds and changes nothing.
        let before = xen.state
        try xen.dtOverlayAttach(blob: overlay, to: .dom0)
        XCTAssertEqual(xen.state.domains, before.domains)
    }

    func testSecondAttachOn422IsEEXIST() throws {
        let xen = try host(.v4_22)
        let overlay = try blob(OverlaySources.device())
        try xen.dtOverlay(.add, blob: overlay)
        try xen.dtOverlayAttach(blob: overlay, to: .dom0)
        assertErrno(.EEXIST) { try xen.dtOverlayAttach(blob: overlay, to: .dom0) }
    }

    func testIOMMUDeviceNeedsAnIOMMUDomainAndBlocksRemoveWhileUsed() throws {
        let xen = try host(.v4_19)
        let overlay = try blob(OverlaySources.device(extra: "iommus = <&gic 0x10>;"))
        try xen.dtOverlay(.add, blob: overlay)
        let noIOMMU = xen.addDomain(memoryKiB: 1024, vcpus: 1, directMapped: true, iommu: false)
        assertErrno(.EINVAL) { try xen.dtOverlayAttach(blob: overlay, to: noIOMMU) }
        let domU = xen.addDomain(memoryKiB: 1024, vcpus: 1, directMapped: true, iommu: true)
        try xen.dtOverlayAttach(blob: overlay, to: domU)
        XCTAssertEqual(xen.state.deviceOwners["/soc/ethernet@9100000"], domU)
        assertErrno(.EINVAL) { try xen.dtOverlay(.remove, blob: overlay) }
        try xen.removeDomain(domU)
        try xen.dtOverlay(.remove, blob: overlay)
        XCTAssertFalse(try xen.hostTree().hasNode("/soc/ethernet@9100000"))
    }

    func testRemoveNeedsTheSameBytes() throws {
        let xen = try host(.v4_19)
        let overlay = try blob(OverlaySources.device())
        try xen.dtOverlay(.add, blob: overlay)
        let other = try blob(OverlaySources.device(spis: [40]))
        assertErrno(.EINVAL) { try xen.dtOverlay(.remove, blob: other) }
        try xen.dtOverlay(.remove, blob: overlay)
        XCTAssertEqual(xen.state.overlays, [])
        XCTAssertEqual(xen.state.hostTree, xen.state.bootTree)
    }

    func testAddErrnosLeakLibfdtCodesAsXenDoes() throws {
        let xen = try host(.v4_19)
        assertErrno(.EPERM) { try xen.dtOverlay(.add, blob: try self.blob(OverlaySources.device(target: "/nowhere"))) }
        assertErrno(.ENXIO) { try xen.dtOverlay(.add, blob: try self.blob(OverlaySources.device(target: "&soc"))) }
        assertErrno(.EINVAL) { try xen.dtOverlay(.add, blob: try self.blob(OverlaySources.device("pl011@9000000", target: "/"))) }
        assertErrno(.ENOMEM) { try xen.dtOverlay(.add, blob: Array("not a tree".utf8)) }
        assertErrno(.EINVAL) { try xen.dtOverlay(.add, blob: []) }
        assertErrno(.EINVAL) { try xen.dtOverlay(.add, blob: [UInt8](repeating: 0, count: 512_001)) }
        XCTAssertEqual(xen.state.overlays, [])
        XCTAssertEqual(xen.state.hostTree, xen.state.bootTree)
    }

    func testRootTargetAndLabelsByRelease() throws {
        let root = try blob(OverlaySources.device("extra@9200000", target: "/", address: 0x920_0000))
        assertErrno(.EINVAL) { try self.host(.v4_19).dtOverlay(.add, blob: root) }
        XCTAssertNoThrow(try host(.v4_20).dtOverlay(.add, blob: root))
        let label = try blob(OverlaySources.device(target: "&soc"))
        assertErrno(.ENXIO) { try self.host(.v4_21).dtOverlay(.add, blob: label) }
        let xen = try host(.v4_22)
        try xen.dtOverlay(.add, blob: label)
        XCTAssertTrue(try xen.hostTree().hasNode("/soc/ethernet@9100000"))
    }

    func testDuplicateNodeIsEINVALAndChangesNothing() throws {
        let xen = try host(.v4_19)
        try xen.dtOverlay(.add, blob: try blob(OverlaySources.device()))
        let before = xen.state.hostTree
        assertErrno(.EINVAL) { try xen.dtOverlay(.add, blob: try self.blob(OverlaySources.device(spis: [50]))) }
        XCTAssertEqual(xen.state.hostTree, before)
        XCTAssertEqual(xen.state.overlays.count, 1)
    }

    func testAHugeRegIsRefusedWithoutWalkingItsFrames() throws {
        let xen = try host(.v4_19)
        let source = OverlaySources.device().replacingOccurrences(of: "0x0 0x1000>", with: "0x100 0x0>")
        let overlay = try blob(source)
        try xen.dtOverlay(.add, blob: overlay)
        assertErrno(.ENOMEM) { try xen.dtOverlayAttach(blob: overlay, to: .dom0) }
        XCTAssertEqual(xen.state.domains[0].mmioMappings, [:])
    }

    func testInjectedFailureIsUsedOnce() throws {
        let xen = try host(.v4_19)
        xen.state.injectedFailures["XEN_SYSCTL_dt_overlay"] = .EOPNOTSUPP
        let overlay = try blob(OverlaySources.device())
        assertErrno(.EOPNOTSUPP) { try xen.dtOverlay(.add, blob: overlay) }
        XCTAssertNoThrow(try xen.dtOverlay(.add, blob: overlay))
    }

    func testStatePersistsAcrossOpens() throws {
        let directory = try DeviceTreeTools.scratch().appendingPathComponent("host").path
        let overlay = try blob(OverlaySources.device())
        let first = try SimulatedHost.open(directory: directory, version: .v4_21)
        try first.hypervisor.dtOverlay(.add, blob: overlay)
        try first.xenstore.write("/test/key", string: "value")
        try first.save()
        first.close()
        let second = try SimulatedHost.open(directory: directory)
        XCTAssertEqual(second.hypervisor.state.version, .v4_21)
        XCTAssertEqual(second.hypervisor.state.overlays.map(\.blob), [overlay])
        XCTAssertEqual(try second.xenstore.readString("/test/key"), "value")
        XCTAssertEqual(try second.xenstore.readString("/local/domain/0/name"), "Domain-0")
        second.close()
        XCTAssertThrowsError(try SimulatedHost.open(directory: directory, version: .v4_19)) {
            XCTAssertTrue("\($0)".contains("runs Xen 4.21"), "\($0)")
        }
    }
}
