// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenTypes

final class SimulatedDomainControlTests: XCTestCase {
    private func hypervisor() throws -> SimulatedHypervisor {
        SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, hostTree: try DefaultHostTree.make()))
    }

    private func create(_ xen: SimulatedHypervisor, iommu: Bool, spis: UInt32 = 32) throws -> DomainID {
        try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 1, count: 16), maxVCPUs: 1, gic: .native, nrSPIs: spis, iommu: iommu)).id
    }

    func testCreatedDomainsArePausedWithTheHostGIC() throws {
        let xen = try hypervisor()
        let created = try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 1, count: 16), maxVCPUs: 2, gic: .native, nrSPIs: 0, iommu: false))
        XCTAssertEqual(created.gic, .v3)
        XCTAssertEqual(xen.state.domains.last?.state, .paused)
        XCTAssertThrowsError(try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 1, count: 16), maxVCPUs: 1, gic: .v2, nrSPIs: 0, iommu: false))) {
            XCTAssertEqual(($0 as? HypervisorError)?.errno, .EOPNOTSUPP)
        }
        try xen.unpause(created.id)
        XCTAssertEqual(xen.state.domains.last?.state, .running)
    }

    func testIRQRoutingFollowsXen() throws {
        let xen = try hypervisor()
        let domain = try create(xen, iommu: false)
        // SPI 2 (IRQ 34): the pl031, marked xen,passthrough: dom0 may hand it on.
        try xen.bindSPI(34, to: domain)
        XCTAssertEqual(xen.state.domains.last?.routedIRQs, [34])
        let errno = { (body: () throws -> Void) -> Errno? in
            do { try body(); return nil } catch { return (error as? HypervisorError)?.errno }
        }
        XCTAssertEqual(errno { try xen.bindSPI(34, to: domain) }, .EBUSY)
        XCTAssertEqual(errno { try xen.bindSPI(39, to: domain) }, .EBUSY, "the pl061's IRQ is routed to dom0")
        XCTAssertEqual(errno { try xen.bindSPI(33, to: domain) }, .EPERM, "Xen's console UART")
        XCTAssertEqual(errno { try xen.bindSPI(29, to: domain) }, .EPERM, "the timer's PPI: dom0 holds no per-CPU IRQ")
        XCTAssertEqual(errno { try xen.bindSPI(100, to: domain) }, .EPERM, "no device has it")
        XCTAssertEqual(errno { try xen.bindSPI(34, to: 77) }, .ESRCH)
        // With IRQ 34 free again, only the domain's nr_spis stands in the way.
        try xen.removeDomain(domain)
        let narrow = try create(xen, iommu: false, spis: 1)
        XCTAssertEqual(errno { try xen.bindSPI(34, to: narrow) }, .EBUSY, "beyond nr_spis")
        let wide = try create(xen, iommu: false)
        XCTAssertNil(errno { try xen.bindSPI(34, to: wide) })
    }

    func testMappingNeedsPermissionAndSmallBatches() throws {
        let xen = try hypervisor()
        let domain = try create(xen, iommu: false)
        let errno = { (body: () throws -> Void) -> Errno? in
            do { try body(); return nil } catch { return (error as? HypervisorError)?.errno }
        }
        XCTAssertEqual(errno { try xen.memoryMapping(domain, gfn: 0x10000, frame: 0x9010, count: 1, add: true) }, .EPERM)
        XCTAssertEqual(errno { try xen.iomemPermission(domain, frame: 0x8000, count: 1, allow: true) }, .EPERM, "the GIC")
        try xen.iomemPermission(domain, frame: 0x9010, count: 100, allow: true)
        XCTAssertEqual(errno { try xen.memoryMapping(domain, gfn: 0x10000, frame: 0x9010, count: 65, add: true) }, .E2BIG)
        try xen.memoryMapping(domain, gfn: 0x10000, frame: 0x9010, count: 64, add: true)
        XCTAssertEqual(xen.state.domains.last?.mmioMappings.count, 64)
        try xen.memoryMapping(domain, gfn: 0x10000, frame: 0x9010, count: 64, add: false)
        XCTAssertEqual(xen.state.domains.last?.mmioMappings, [:])
    }

    func testDeviceAssignmentAndDestroy() throws {
        var tree = try DefaultHostTree.make()
        try tree.setProperty("iommus", .deviceTreeCells([0x8005, 1]), at: "/pl031@9010000")
        let xen = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, hostTree: tree))
        let plain = try create(xen, iommu: false)
        let guest = try create(xen, iommu: true)
        let errno = { (body: () throws -> Void) -> Errno? in
            do { try body(); return nil } catch { return (error as? HypervisorError)?.errno }
        }
        XCTAssertEqual(errno { try xen.assignDevice("/pl031@9010000", to: plain) }, .EINVAL, "domain without IOMMU")
        XCTAssertEqual(errno { try xen.assignDevice("/nowhere", to: guest) }, .ESRCH)
        XCTAssertEqual(errno { try xen.assignDevice("/pl061@9030000", to: guest) }, .EINVAL, "not behind an IOMMU")
        try xen.testAssignDevice("/pl031@9010000")
        try xen.assignDevice("/pl031@9010000", to: guest)
        XCTAssertEqual(errno { try xen.testAssignDevice("/pl031@9010000") }, .EINVAL, "Xen says EINVAL for an assigned device")
        XCTAssertEqual(errno { try xen.assignDevice("/pl031@9010000", to: plain) }, .EINVAL, "the IOMMU check comes first")
        XCTAssertEqual(errno { try xen.assignDevice("/pl031@9010000", to: try create(xen, iommu: true)) }, .EBUSY)
        try xen.testAssignDevice("/pl061@9030000")
        try xen.destroy(guest)
        XCTAssertEqual(xen.state.deviceOwners, [:])
        try xen.testAssignDevice("/pl031@9010000")
        XCTAssertEqual(errno { try xen.destroy(.dom0) }, .EINVAL)
    }
}
