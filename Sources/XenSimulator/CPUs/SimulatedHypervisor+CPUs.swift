// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// vCPUs, affinities and CPU pools as Xen's scheduler keeps them (`sched/core.c`, `sched/cpupool.c`), with its errnos:
/// a vCPU number past the domain's is `ENOENT` (`EINVAL` for affinity), a hard affinity with no CPU of the domain's
/// pool `EINVAL`, a CPU that is not free `ENODEV`, a CPU not in the pool `EADDRNOTAVAIL`, CPU 0 out of Pool-0
/// `EINVAL`, the last CPU of a pool with domains or a pool still holding CPUs or domains `EBUSY`, an id in use
/// `EEXIST`, and a move to a pool without CPUs `ENOENT`.
extension SimulatedHypervisor: CPUControl {
    /// Xen's default scheduler in the simulation (credit2, as since 4.12).
    static let defaultScheduler = Scheduler.credit2

    /// The pools as they are now: the saved ones, else the ones Xen built at boot.
    public func currentPools() -> [SimulatedCPUPool] {
        if let pools = state.cpupools { return pools }
        if let tree = try? DeviceTree(validating: state.bootTree), let boot = try? BootCPUPools(tree: tree, defaultScheduler: Self.defaultScheduler) {
            return boot.pools
        }
        return [SimulatedCPUPool(id: 0, scheduler: Self.defaultScheduler, cpus: .first(max(cpuCount(), 1)))]
    }

    /// Every CPU Xen brought up.
    private var onlineCPUs: CPUSet { .first(max(cpuCount(), 1)) }

    public func vcpuInfo(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUInfo {
        let name = "XEN_DOMCTL_getvcpuinfo"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let vcpus = vcpuStates(of: state.domains[index])
        guard Int(vcpu) < vcpus.count else { throw HypervisorError(name, errno: .ENOENT) }
        let d = state.domains[index]
        let online = vcpus[Int(vcpu)].online
        let runnable = online && !d.state.contains(.paused) && !d.state.contains(.shutdown)
        return VCPUInfo(online: online, blocked: online && d.state.contains(.blocked), running: runnable && d.state.contains(.running),
                        cpuTimeNs: 0, cpu: UInt32(processor(of: Int(vcpu), vcpus[Int(vcpu)].affinity, pool: d.cpupool)))
    }

    public func vcpuAffinity(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUAffinity {
        let name = "XEN_DOMCTL_getvcpuaffinity"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let vcpus = vcpuStates(of: state.domains[index])
        guard Int(vcpu) < vcpus.count else { throw HypervisorError(name, errno: .EINVAL) }
        return vcpus[Int(vcpu)].affinity
    }

    /// `vcpu_affinity_domctl`: Xen keeps the maps as given (cut to its CPUs) and reports back the hard map within the
    /// pool, and the soft one within the pool and the hard map. A failing soft map takes back the hard one.
    public func setVCPUAffinity(_ domain: DomainID, vcpu: UInt32, hard: CPUSet?, soft: CPUSet?, force: Bool) throws(HypervisorError) -> VCPUAffinity {
        let name = "XEN_DOMCTL_setvcpuaffinity"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        var vcpus = vcpuStates(of: state.domains[index])
        guard Int(vcpu) < vcpus.count, hard != nil || soft != nil else { throw HypervisorError(name, errno: .EINVAL) }
        let pool = poolCPUs(state.domains[index].cpupool)
        var affinity = vcpus[Int(vcpu)].affinity
        if let hard {
            let kept = hard.intersection(onlineCPUs)
            guard !kept.intersection(pool).isEmpty else { throw HypervisorError(name, errno: .EINVAL) }
            affinity.hard = kept
        }
        if let soft { affinity.soft = soft.intersection(onlineCPUs) }
        vcpus[Int(vcpu)].affinity = affinity
        state.domains[index].vcpuStates = vcpus
        return VCPUAffinity(hard: affinity.hard.intersection(pool), soft: affinity.soft.intersection(pool).intersection(affinity.hard))
    }

    public func cpupools() throws(HypervisorError) -> [CPUPoolInfo] {
        try injectedFailure("XEN_SYSCTL_CPUPOOL_OP_INFO")
        return currentPools().map { pool in
            CPUPoolInfo(id: pool.id, scheduler: pool.scheduler, domainCount: state.domains.filter { $0.cpupool == pool.id }.count, cpus: pool.cpus)
        }
    }

    public func freeCPUs() throws(HypervisorError) -> CPUSet {
        try injectedFailure("XEN_SYSCTL_CPUPOOL_OP_FREEINFO")
        return currentPools().reduce(onlineCPUs) { $0.subtracting($1.cpus) }
    }

    /// `cpupool_create`: at most twice as many pools as CPUs; without an id, the one after the highest.
    public func createCPUPool(id: UInt32?, scheduler: Scheduler) throws(HypervisorError) -> UInt32 {
        let name = "XEN_SYSCTL_CPUPOOL_OP_CREATE"
        try injectedFailure(name)
        var pools = currentPools()
        guard pools.count < 2 * onlineCPUs.count else { throw HypervisorError(name, errno: .ENOSPC) }
        let poolID = id ?? (pools.map(\.id).max() ?? 0) + 1
        guard !pools.contains(where: { $0.id == poolID }) else { throw HypervisorError(name, errno: .EEXIST) }
        guard Scheduler.known.contains(scheduler) else { throw HypervisorError(name, errno: .ENOENT) }
        pools.append(SimulatedCPUPool(id: poolID, scheduler: scheduler, cpus: CPUSet([])))
        state.cpupools = pools.sorted { $0.id < $1.id }
        return poolID
    }

    public func destroyCPUPool(_ id: UInt32) throws(HypervisorError) {
        let name = "XEN_SYSCTL_CPUPOOL_OP_DESTROY"
        try injectedFailure(name)
        var pools = currentPools()
        guard let index = pools.firstIndex(where: { $0.id == id }) else { throw HypervisorError(name, errno: .ENOENT) }
        guard pools[index].cpus.isEmpty, !state.domains.contains(where: { $0.cpupool == id }) else { throw HypervisorError(name, errno: .EBUSY) }
        pools.remove(at: index)
        state.cpupools = pools
    }

    public func addCPU(_ cpu: Int, toPool id: UInt32) throws(HypervisorError) {
        let name = "XEN_SYSCTL_CPUPOOL_OP_ADDCPU"
        try injectedFailure(name)
        var pools = currentPools()
        guard let index = pools.firstIndex(where: { $0.id == id }) else { throw HypervisorError(name, errno: .ENOENT) }
        guard cpu >= 0, cpu < onlineCPUs.count else { throw HypervisorError(name, errno: .EINVAL) }
        guard !pools.contains(where: { $0.cpus.contains(cpu) }) else { throw HypervisorError(name, errno: .ENODEV) }
        pools[index].cpus = pools[index].cpus.union(CPUSet([cpu]))
        state.cpupools = pools
    }

    /// `cpupool_unassign_cpu`: the last CPU of a pool with domains stays.
    public func removeCPU(_ cpu: Int, fromPool id: UInt32) throws(HypervisorError) {
        let name = "XEN_SYSCTL_CPUPOOL_OP_RMCPU"
        try injectedFailure(name)
        var pools = currentPools()
        guard let index = pools.firstIndex(where: { $0.id == id }) else { throw HypervisorError(name, errno: .ENOENT) }
        guard cpu >= 0, cpu < onlineCPUs.count, !(id == 0 && cpu == 0) else { throw HypervisorError(name, errno: .EINVAL) }
        guard pools[index].cpus.contains(cpu) else { throw HypervisorError(name, errno: .EADDRNOTAVAIL) }
        if pools[index].cpus.count == 1, state.domains.contains(where: { $0.cpupool == id }) { throw HypervisorError(name, errno: .EBUSY) }
        pools[index].cpus = pools[index].cpus.subtracting(CPUSet([cpu]))
        state.cpupools = pools
    }

    /// `sched_move_domain`: the domain's vCPUs get every CPU as both affinities again.
    public func moveDomain(_ domain: DomainID, toPool id: UInt32) throws(HypervisorError) {
        let name = "XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN"
        try injectedFailure(name)
        // rcu_lock_remote_domain_by_id: the caller (dom0) cannot move itself.
        guard domain != .dom0 else { throw HypervisorError(name, errno: .EPERM) }
        let index = try domainIndex(domain, name)
        guard state.domains[index].cpupool != id else { return }
        let pools = currentPools()
        guard let pool = pools.first(where: { $0.id == id }), !pool.cpus.isEmpty else { throw HypervisorError(name, errno: .ENOENT) }
        state.cpupools = pools
        state.domains[index].cpupool = id
        if state.domains[index].vcpuStates != nil {
            state.domains[index].vcpuStates = state.domains[index].vcpuStates?.map {
                SimulatedVCPU(online: $0.online, affinity: VCPUAffinity(hard: onlineCPUs, soft: onlineCPUs))
            }
        }
    }

    /// Each vCPU's state: the saved one, else every vCPU online with every CPU.
    func vcpuStates(of domain: SimulatedDomain) -> [SimulatedVCPU] {
        domain.vcpuStates ?? Array(repeating: SimulatedVCPU(online: true, affinity: VCPUAffinity(hard: onlineCPUs, soft: onlineCPUs)),
                                   count: domain.vcpus)
    }

    private func poolCPUs(_ id: UInt32) -> CPUSet {
        currentPools().first { $0.id == id }?.cpus ?? CPUSet([])
    }

    /// Where the scheduler put vCPU `vcpu`: spread over the CPUs of its hard affinity in its pool.
    private func processor(of vcpu: Int, _ affinity: VCPUAffinity, pool: UInt32) -> Int {
        let allowed = affinity.hard.intersection(poolCPUs(pool))
        let candidates = allowed.isEmpty ? poolCPUs(pool) : allowed
        guard !candidates.isEmpty else { return 0 }
        return candidates.cpus[vcpu % candidates.count]
    }
}
