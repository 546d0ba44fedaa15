// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XCTest
import XenControl
import XenSimulator
import XenTypes

/// The simulated scheduler: boot-time cpupools from `/chosen`, vCPU affinities and pool operations, each failing
/// with the errno Xen's `sched/core.c` and `sched/cpupool.c` return, and leaving the state as it was.
final class SimulatedCPUPoolTests: XCTestCase {
    private func errno(_ body: () throws -> Void) -> Errno? {
        do { try body(); return nil } catch { return (error as? HypervisorError)?.errno }
    }

    /// The default host with phandles on its four CPUs and the given `/chosen` pools: (name, CPUs, scheduler).
    private func tree(pools: [(String, [Int], String?)], domainPool: String? = nil) throws -> DeviceTree {
        var tree = try DefaultHostTree.make()
        for cpu in 0..<4 { try tree.setProperty("phandle", .deviceTreeCells([0x100 + UInt32(cpu)]), at: "/cpus/cpu@\(cpu)") }
        for (index, pool) in pools.enumerated() {
            let path = "/chosen/\(pool.0)"
            try tree.addNode(path)
            try tree.setProperty("compatible", .deviceTreeStrings(["xen,cpupool"]), at: path)
            try tree.setProperty("cpupool-cpus", .deviceTreeCells(pool.1.map { 0x100 + UInt32($0) }), at: path)
            if let scheduler = pool.2 { try tree.setProperty("cpupool-sched", .deviceTreeStrings([scheduler]), at: path) }
            try tree.setProperty("phandle", .deviceTreeCells([0x200 + UInt32(index)]), at: path)
        }
        if let domainPool, let index = pools.firstIndex(where: { $0.0 == domainPool }) {
            try tree.addNode("/chosen/domU1")
            try tree.setProperty("compatible", .deviceTreeStrings(["xen,domain"]), at: "/chosen/domU1")
            try tree.setProperty("memory", .deviceTreeCells([0, 0x20000]), at: "/chosen/domU1")
            try tree.setProperty("cpus", .deviceTreeCells([1]), at: "/chosen/domU1")
            try tree.setProperty("domain-cpupool", .deviceTreeCells([0x200 + UInt32(index)]), at: "/chosen/domU1")
        }
        return tree
    }

    private func booted(_ tree: DeviceTree) throws -> SimulatedHypervisor {
        SimulatedHypervisor(state: try SimulatedHostState(version: .v4_19, hostTree: tree).bootingDom0less())
    }

    private func summary(_ xen: SimulatedHypervisor) throws -> [String] {
        try xen.cpupools().map { "\($0.id) \($0.scheduler) \($0.cpus) \($0.domainCount)" }
    }

    func testWithoutPoolNodesPool0HasEveryCPU() throws {
        let xen = try booted(try DefaultHostTree.make())
        XCTAssertEqual(try summary(xen), ["0 credit2 0-3 1"])
        XCTAssertEqual(try xen.freeCPUs(), CPUSet([]))
    }

    func testBootPoolsAreNumberedInTreeOrderAndTheRestGoToOneMore() throws {
        let xen = try booted(try tree(pools: [("rt", [2, 3], "null")], domainPool: "rt"))
        // rt is pool 0 in tree order, but CPU 0 must be in Pool-0: the pool of the other CPUs trades ids with it.
        XCTAssertEqual(try summary(xen), ["0 credit2 0-1 1", "1 null 2-3 1"])
        XCTAssertEqual(xen.state.domains.first { $0.id.rawValue == 1 }?.cpupool, 1, "domain-cpupool")
        let swapped = try booted(try tree(pools: [("a", [1], "rtds"), ("b", [0, 2], nil)]))
        XCTAssertEqual(try summary(swapped), ["0 credit2 0,2 1", "1 rtds 1 0", "2 credit2 3 0"])
    }

    func testBindingsXenPanicsOnDoNotBoot() throws {
        for (pools, message) in [
            ([("p", [5], nil as String?)], "Error retrieving logical cpu"),
            ([("p", [1], nil), ("q", [1], nil)], "Logical cpu 1 already added to a cpupool!"),
            ([("p", [1], "sedf")], "Scheduler sedf does not exists!"),
        ] {
            var tree = try tree(pools: [])
            for (index, pool) in pools.enumerated() {
                let path = "/chosen/\(pool.0)"
                try tree.addNode(path)
                try tree.setProperty("compatible", .deviceTreeStrings(["xen,cpupool"]), at: path)
                try tree.setProperty("cpupool-cpus", .deviceTreeCells(pool.1.map { 0x100 + UInt32($0) }), at: path)
                if let scheduler = pool.2 { try tree.setProperty("cpupool-sched", .deviceTreeStrings([scheduler]), at: path) }
                _ = index
            }
            try tree.addNode("/chosen/domU1")
            try tree.setProperty("compatible", .deviceTreeStrings(["xen,domain"]), at: "/chosen/domU1")
            try tree.setProperty("memory", .deviceTreeCells([0, 0x20000]), at: "/chosen/domU1")
            try tree.setProperty("cpus", .deviceTreeCells([1]), at: "/chosen/domU1")
            XCTAssertThrowsError(try booted(tree), message) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testAffinityIsKeptAsGivenAndReportedWithinThePool() throws {
        let xen = try booted(try tree(pools: [("rt", [2, 3], nil)], domainPool: "rt"))
        let guest = DomainID(1)
        XCTAssertEqual(try xen.vcpuAffinity(guest, vcpu: 0), VCPUAffinity(hard: .first(4), soft: .first(4)))
        let effective = try xen.setVCPUAffinity(guest, vcpu: 0, hard: CPUSet([1, 2]), soft: CPUSet([0, 3]), force: false)
        XCTAssertEqual(effective, VCPUAffinity(hard: CPUSet([2]), soft: CPUSet([])), "hard within the pool; soft within both")
        XCTAssertEqual(try xen.vcpuAffinity(guest, vcpu: 0), VCPUAffinity(hard: CPUSet([1, 2]), soft: CPUSet([0, 3])))
        XCTAssertEqual(try xen.vcpuInfo(guest, vcpu: 0).cpu, 2)
        let before = try summary(xen) + [String(describing: try xen.vcpuAffinity(guest, vcpu: 0))]
        XCTAssertEqual(errno { _ = try xen.setVCPUAffinity(guest, vcpu: 0, hard: CPUSet([0, 1]), soft: nil, force: true) }, .EINVAL,
                       "no CPU of the pool, even with FORCE")
        XCTAssertEqual(errno { _ = try xen.setVCPUAffinity(guest, vcpu: 1, hard: CPUSet([2]), soft: nil, force: false) }, .EINVAL, "past max_vcpus")
        XCTAssertEqual(errno { _ = try xen.vcpuInfo(guest, vcpu: 1) }, .ENOENT)
        XCTAssertEqual(errno { _ = try xen.vcpuInfo(DomainID(7), vcpu: 0) }, .ESRCH)
        XCTAssertEqual(try summary(xen) + [String(describing: try xen.vcpuAffinity(guest, vcpu: 0))], before)
    }

    func testPoolOperationsFailAsXenDoes() throws {
        let xen = try booted(try tree(pools: [("rt", [2, 3], nil)], domainPool: "rt"))
        let before = try summary(xen)
        XCTAssertEqual(errno { try xen.addCPU(2, toPool: 0) }, .ENODEV, "a CPU in another pool")
        XCTAssertEqual(errno { try xen.addCPU(4, toPool: 0) }, .EINVAL, "past the host's CPUs")
        XCTAssertEqual(errno { try xen.addCPU(1, toPool: 9) }, .ENOENT)
        XCTAssertEqual(errno { try xen.removeCPU(0, fromPool: 0) }, .EINVAL, "CPU 0 stays in Pool-0")
        XCTAssertEqual(errno { try xen.removeCPU(1, fromPool: 1) }, .EADDRNOTAVAIL, "not in the pool")
        XCTAssertEqual(errno { try xen.destroyCPUPool(1) }, .EBUSY, "CPUs and a domain")
        XCTAssertEqual(errno { _ = try xen.createCPUPool(id: 1, scheduler: .credit) }, .EEXIST)
        XCTAssertEqual(errno { _ = try xen.createCPUPool(id: nil, scheduler: .sedf) }, .ENOENT)
        XCTAssertEqual(errno { try xen.moveDomain(.dom0, toPool: 1) }, .EPERM)
        XCTAssertEqual(errno { try xen.moveDomain(DomainID(1), toPool: 5) }, .ENOENT)
        XCTAssertEqual(try summary(xen), before, "nothing changed")
        XCTAssertNil(xen.state.cpupools, "no operation saved pools")
        try xen.removeCPU(3, fromPool: 1)
        XCTAssertEqual(errno { try xen.removeCPU(2, fromPool: 1) }, .EBUSY, "the last CPU of a pool with a domain")
        let empty = try xen.createCPUPool(id: nil, scheduler: .rtds)
        XCTAssertEqual(empty, 2)
        XCTAssertEqual(errno { try xen.moveDomain(DomainID(1), toPool: empty) }, .ENOENT, "a pool without CPUs")
        try xen.addCPU(3, toPool: empty)
        _ = try xen.setVCPUAffinity(DomainID(1), vcpu: 0, hard: CPUSet([2]), soft: nil, force: false)
        try xen.moveDomain(DomainID(1), toPool: empty)
        XCTAssertEqual(try xen.vcpuAffinity(DomainID(1), vcpu: 0), VCPUAffinity(hard: .first(4), soft: .first(4)), "a move resets affinity")
        try xen.removeCPU(2, fromPool: 1)
        try xen.destroyCPUPool(1)
        XCTAssertEqual(try summary(xen), ["0 credit2 0-1 1", "2 rtds 3 1"])
        XCTAssertEqual(try xen.freeCPUs(), CPUSet([2]))
    }
}
