// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The vCPU and CPU pool hypercalls through libxenctrl.
extension XenCallHypervisor: CPUControl {
    public func vcpuInfo(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUInfo {
        let info = try call("xc_vcpu_getinfo") { (ctrl) throws(Errno) in try ctrl.vcpuInfo(domid: UInt32(domain.rawValue), vcpu: vcpu) }
        return VCPUInfo(online: info.online, blocked: info.blocked, running: info.running, cpuTimeNs: info.cpuTimeNs, cpu: info.cpu)
    }

    public func vcpuAffinity(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUAffinity {
        let maps = try call("xc_vcpu_getaffinity") { (ctrl) throws(Errno) in try ctrl.vcpuAffinity(domid: UInt32(domain.rawValue), vcpu: vcpu) }
        return VCPUAffinity(hard: maps.hard, soft: maps.soft)
    }

    public func setVCPUAffinity(_ domain: DomainID, vcpu: UInt32, hard: CPUSet?, soft: CPUSet?, force: Bool) throws(HypervisorError) -> VCPUAffinity {
        _ = try call("xc_vcpu_setaffinity") { (ctrl) throws(Errno) in
            try ctrl.setVCPUAffinity(domid: UInt32(domain.rawValue), vcpu: vcpu, hard: hard, soft: soft, force: force)
        }
        return try vcpuAffinity(domain, vcpu: vcpu)
    }

    public func cpupools() throws(HypervisorError) -> [CPUPoolInfo] {
        try call("xc_cpupool_getinfo") { (ctrl) throws(Errno) in try ctrl.cpupools() }.map {
            CPUPoolInfo(id: $0.id, scheduler: Scheduler(rawValue: $0.schedulerID), domainCount: Int($0.domainCount), cpus: $0.cpus)
        }
    }

    public func freeCPUs() throws(HypervisorError) -> CPUSet {
        try call("xc_cpupool_freeinfo") { (ctrl) throws(Errno) in try ctrl.freeCPUs() }
    }

    public func createCPUPool(id: UInt32?, scheduler: Scheduler) throws(HypervisorError) -> UInt32 {
        try call("xc_cpupool_create") { (ctrl) throws(Errno) in try ctrl.createCPUPool(id: id, schedulerID: scheduler.rawValue) }
    }

    public func destroyCPUPool(_ id: UInt32) throws(HypervisorError) {
        try call("xc_cpupool_destroy") { (ctrl) throws(Errno) in try ctrl.destroyCPUPool(id) }
    }

    public func addCPU(_ cpu: Int, toPool id: UInt32) throws(HypervisorError) {
        try call("xc_cpupool_addcpu") { (ctrl) throws(Errno) in try ctrl.addCPU(cpu, toPool: id) }
    }

    public func removeCPU(_ cpu: Int, fromPool id: UInt32) throws(HypervisorError) {
        try call("xc_cpupool_removecpu") { (ctrl) throws(Errno) in try ctrl.removeCPU(cpu, fromPool: id) }
    }

    public func moveDomain(_ domain: DomainID, toPool id: UInt32) throws(HypervisorError) {
        try call("xc_cpupool_movedomain") { (ctrl) throws(Errno) in try ctrl.moveDomain(UInt32(domain.rawValue), toPool: id) }
    }
}
