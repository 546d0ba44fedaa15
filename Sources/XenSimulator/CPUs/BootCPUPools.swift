// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// The CPU pools Xen builds at boot (`boot-cpupool.c`): one per `xen,cpupool` node under `/chosen`, numbered in
/// tree order, with the CPUs its `cpupool-cpus` phandles name and the scheduler of `cpupool-sched`. CPUs no node
/// names go to one more pool, and the pool with CPU 0 swaps ids with pool 0. Without such nodes, Pool-0 has
/// every CPU. Logical CPU numbers are the `/cpus/cpu@` nodes in tree order.
struct BootCPUPools {
    var pools: [SimulatedCPUPool]
    /// The pool id of each `xen,cpupool` node, by path.
    var poolOfNode: [String: UInt32]

    /// Reads the boot tree; a binding Xen would panic on is the panic's message.
    init(tree: DeviceTree, defaultScheduler: Scheduler) throws(SimulatorError) {
        let cpuNodes = Self.cpuNodes(in: tree)
        let cpuCount = max(cpuNodes.count, 1)
        var poolOfCPU = [Int?](repeating: nil, count: cpuCount)
        var schedulers: [Scheduler?] = []
        var nodes: [String] = []
        for child in (try? tree.children(of: "/chosen")) ?? [] {
            let path = DeviceTree.join("/chosen", child)
            guard tree.property("compatible", of: path)?.deviceTreeStrings?.contains("xen,cpupool") == true else { continue }
            var scheduler: Scheduler?
            if let name = tree.property("cpupool-sched", of: path)?.deviceTreeString {
                guard let known = Scheduler(name: name) else { throw SimulatorError("Xen panics at boot: Scheduler \(name) does not exists!") }
                scheduler = known
            }
            let phandles = tree.property("cpupool-cpus", of: path)?.deviceTreeCells ?? []
            guard !phandles.isEmpty else { throw SimulatorError("Xen panics at boot: Missing or empty cpupool-cpus property!") }
            for phandle in phandles {
                guard let cpuPath = tree.path(ofPhandle: phandle), let cpu = cpuNodes.firstIndex(of: cpuPath) else {
                    throw SimulatorError("Xen panics at boot: Error retrieving logical cpu from node \(child)")
                }
                guard poolOfCPU[cpu] == nil else { throw SimulatorError("Xen panics at boot: Logical cpu \(cpu) already added to a cpupool!") }
                poolOfCPU[cpu] = schedulers.count
            }
            schedulers.append(scheduler)
            nodes.append(path)
        }
        var next = schedulers.count
        if poolOfCPU.contains(where: { $0 == nil }) {
            for cpu in poolOfCPU.indices where poolOfCPU[cpu] == nil { poolOfCPU[cpu] = next }
            schedulers.append(nil)
            next += 1
        }
        // CPU 0 must be in pool 0: its pool and pool 0 trade ids (and schedulers).
        var ids = Array(0..<next)
        if let first = poolOfCPU[0], first != 0 {
            ids.swapAt(0, first)
        }
        var pools: [SimulatedCPUPool] = []
        for index in 0..<next {
            let cpus = CPUSet(poolOfCPU.indices.filter { poolOfCPU[$0] == index })
            pools.append(SimulatedCPUPool(id: UInt32(ids[index]), scheduler: schedulers[index] ?? defaultScheduler, cpus: cpus))
        }
        self.pools = pools.sorted { $0.id < $1.id }
        self.poolOfNode = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($0.element, UInt32(ids[$0.offset])) })
    }

    /// The `cpu@` children of `/cpus` by their `reg` (the MPIDR): logical CPU `n` is the `n`th. Xen numbers the boot
    /// CPU 0 and the others in tree order; on the boards it runs on, that is the order of `reg` from 0.
    static func cpuNodes(in tree: DeviceTree) -> [String] {
        let paths = ((try? tree.children(of: "/cpus")) ?? []).filter { $0.hasPrefix("cpu@") }.map { DeviceTree.join("/cpus", $0) }
        let reg = { (path: String) -> UInt64 in
            (tree.property("reg", of: path)?.deviceTreeCells ?? []).reduce(UInt64(0)) { $0 << 32 | UInt64($1) }
        }
        return paths.enumerated().sorted { (reg($0.element), $0.offset) < (reg($1.element), $1.offset) }.map(\.element)
    }

    /// The pool of the dom0less domain at `path`: the one its `domain-cpupool` phandle names, else Pool-0.
    func pool(ofDomainNode path: String, in tree: DeviceTree) throws(SimulatorError) -> UInt32 {
        guard let cells = tree.property("domain-cpupool", of: path)?.deviceTreeCells else { return 0 }
        guard cells.count == 1, let node = tree.path(ofPhandle: cells[0]), let id = poolOfNode[node] else {
            throw SimulatorError("Xen panics at boot: Error getting cpupool id from domain-cpupool (\(path))")
        }
        return id
    }
}
