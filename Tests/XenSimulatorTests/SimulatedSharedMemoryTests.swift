// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XCTest
import XenControl
import XenSimulator
import XenTypes

/// Shared pages between domains: the Xilinx fork's map space against upstream's refusal, reference counts, and
/// guest accesses that show the memory really is shared.
final class SimulatedSharedMemoryTests: XCTestCase {
    private let ownerRegion: UInt64 = 0x4400_0000 / 4096
    private let borrowerRegion: UInt64 = 0x6000_0000 / 4096

    /// A host of `flavour` with two running guests of 128 MiB: the owner and the borrower.
    private func host(_ flavour: XenFlavour) throws -> (SimulatedHypervisor, DomainID, DomainID) {
        let xen = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, flavour: flavour, hostTree: try DefaultHostTree.make()))
        var ids: [DomainID] = []
        for _ in 0..<2 {
            let id = try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 1, count: 16), maxVCPUs: 1, gic: .native, nrSPIs: 0, iommu: false)).id
            try xen.setMaxVCPUs(id, count: 1)
            try xen.setMaxMemory(id, kib: 131_072 + 1024)
            try xen.setPagingPool(id, bytes: 1 << 20)
            var kernel = [UInt8](repeating: 0, count: 4096)
            kernel.replaceSubrange(0x38..<0x3C, with: Array("ARM\u{64}".utf8))
            let store = try xen.allocateEventChannel(id, remote: .dom0)
            let console = try xen.allocateEventChannel(id, remote: .dom0)
            _ = try xen.loadKernel(id, image: GuestBootImage(
                memoryKiB: 131_072, kernel: kernel, ramdisk: nil, deviceTree: try DeviceTree.empty().bytes, cmdline: nil,
                vcpus: 1, store: GuestEventChannel(port: store, remote: .dom0), console: GuestEventChannel(port: console, remote: .dom0), vpl011: false))
            ids.append(id)
        }
        return (xen, ids[0], ids[1])
    }

    func testAWriteThroughTheOwnerIsReadThroughTheBorrowerAndBack() throws {
        let (xen, owner, borrower) = try host(.xilinx)
        let results = try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion + 0x10, gfn: borrowerRegion, count: 16)
        XCTAssertEqual(results, [Errno?](repeating: nil, count: 16))
        try xen.writeGuestMemory(owner, at: (ownerRegion + 0x10) * 4096 + 4090, Array("hello, borrower".utf8))
        XCTAssertEqual(try xen.readGuestMemory(borrower, at: borrowerRegion * 4096 + 4090, count: 15), Array("hello, borrower".utf8))
        try xen.writeGuestMemory(borrower, at: borrowerRegion * 4096 + 0x3000, Array("reply".utf8))
        XCTAssertEqual(try xen.readGuestMemory(owner, at: (ownerRegion + 0x13) * 4096, count: 5), Array("reply".utf8))
        // A page outside the mapping is the borrower's own RAM or nothing: the owner's byte is not there.
        XCTAssertEqual(try xen.readGuestMemory(owner, at: (ownerRegion + 0x20) * 4096, count: 4), [0, 0, 0, 0])
        XCTAssertThrowsError(try xen.readGuestMemory(borrower, at: (borrowerRegion + 16) * 4096, count: 1)) {
            XCTAssertEqual(($0 as? HypervisorError)?.errno, .EFAULT)
        }
        let counts = xen.state.memory.pages.values.map(\.references).sorted()
        XCTAssertEqual(counts, [UInt32](repeating: 2, count: 16), "each shared page: the owner's entry and the borrower's")
    }

    func testUnmappingGivesBackExactlyTheStateBefore() throws {
        let (xen, owner, borrower) = try host(.xilinx)
        let before = xen.state.memory
        _ = try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 4)
        for page in 0..<UInt64(4) { try xen.removeFromPhysmap(borrower, gfn: borrowerRegion + page) }
        XCTAssertEqual(xen.state.memory.pages, before.pages)
        XCTAssertEqual(xen.state.domains.map(\.p2m), [[:], [:], [:]])
        XCTAssertThrowsError(try xen.removeFromPhysmap(borrower, gfn: borrowerRegion)) { XCTAssertEqual(($0 as? HypervisorError)?.errno, .ENOENT) }
    }

    func testPagesOutliveADestroyedOwnerUntilTheLastBorrowerGoes() throws {
        let (xen, owner, borrower) = try host(.xilinx)
        _ = try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 2)
        try xen.writeGuestMemory(owner, at: ownerRegion * 4096, [42])
        try xen.destroy(owner)
        XCTAssertEqual(xen.state.memory.pages.count, 2)
        XCTAssertEqual(xen.state.memory.pages.values.map(\.references), [1, 1])
        XCTAssertEqual(try xen.readGuestMemory(borrower, at: borrowerRegion * 4096, count: 1), [42], "the zombie page keeps its contents")
        try xen.destroy(borrower)
        XCTAssertEqual(xen.state.memory.pages.count, 0, "nothing leaks")
    }

    func testPerPageErrorsOfTheFork() throws {
        let (xen, owner, borrower) = try host(.xilinx)
        // The borrower's own RAM is in use; an owner frame outside its RAM is not a page; an unknown owner.
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: 0x4000_0000 / 4096, count: 1), [.EBUSY])
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: owner, ownerGFN: 0x6000_0000 / 4096, gfn: borrowerRegion, count: 1), [.EINVAL])
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: 77, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 1), [.ESRCH])
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: borrower, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 1), [.EINVAL])
        _ = try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 1)
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion + 1, gfn: borrowerRegion, count: 1), [.EBUSY])
        for count in [0, 65536] as [UInt64] {
            XCTAssertThrowsError(try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion + 1, count: count)) {
                XCTAssertEqual(($0 as? HypervisorError)?.errno, .EINVAL)
            }
        }
        XCTAssertThrowsError(try xen.mapSharedPages(99, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 1)) {
            XCTAssertEqual(($0 as? HypervisorError)?.errno, .ESRCH)
        }
    }

    func testUpstreamXenRefusesEveryPageAndChangesNothing() throws {
        let (xen, owner, borrower) = try host(.upstream)
        let before = xen.state.memory
        XCTAssertEqual(try xen.mapSharedPages(borrower, from: owner, ownerGFN: ownerRegion, gfn: borrowerRegion, count: 3), [.ENOSYS, .ENOSYS, .ENOSYS])
        XCTAssertEqual(xen.state.memory, before)
        XCTAssertEqual(xen.state.domains.map(\.p2m), [[:], [:], [:]])
    }
}
