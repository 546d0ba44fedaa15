// SPDX-License-Identifier: Apache-2.0
import CXen
import Glibc
import XenTypes

/// One vCPU as `xc_vcpu_getinfo` reports it.
public struct XenVCPUInfo: Hashable, Sendable {
    public var online: Bool
    public var blocked: Bool
    public var running: Bool
    /// CPU time used, in nanoseconds.
    public var cpuTimeNs: UInt64
    /// The physical CPU it runs on, or last ran on.
    public var cpu: UInt32
}

/// One CPU pool as `xc_cpupool_getinfo` reports it.
public struct XenCPUPoolInfo: Hashable, Sendable {
    public var id: UInt32
    /// `XEN_SCHEDULER_*`.
    public var schedulerID: UInt32
    public var domainCount: UInt32
    public var cpus: CPUSet
}

extension XenCtrl {
    /// `xc_get_max_cpus`: how many CPU numbers a cpumap holds.
    public func maxCPUs() throws(Errno) -> Int {
        Errno.clear()
        let count = xc_get_max_cpus(handle)
        guard count > 0 else { throw Errno.current == .init(rawValue: 0) ? .EIO : Errno.current }
        return Int(count)
    }

    /// `xc_vcpu_getinfo`.
    public func vcpuInfo(domid: UInt32, vcpu: UInt32) throws(Errno) -> XenVCPUInfo {
        var info = xc_vcpuinfo_t()
        Errno.clear()
        guard xc_vcpu_getinfo(handle, domid, vcpu, &info) == 0 else { throw Errno.current }
        return XenVCPUInfo(online: info.online != 0, blocked: info.blocked != 0, running: info.running != 0,
                           cpuTimeNs: info.cpu_time, cpu: info.cpu)
    }

    /// `xc_vcpu_getaffinity` of both maps.
    public func vcpuAffinity(domid: UInt32, vcpu: UInt32) throws(Errno) -> (hard: CPUSet, soft: CPUSet) {
        let size = try cpumapBytes()
        var hard = [UInt8](repeating: 0, count: size)
        var soft = [UInt8](repeating: 0, count: size)
        let flags = UInt32(XEN_VCPUAFFINITY_HARD) | UInt32(XEN_VCPUAFFINITY_SOFT)
        Errno.clear()
        let rc = hard.withUnsafeMutableBufferPointer { h in
            soft.withUnsafeMutableBufferPointer { s in xc_vcpu_getaffinity(handle, domid, Int32(bitPattern: vcpu), h.baseAddress, s.baseAddress, flags) }
        }
        guard rc == 0 else { throw Errno.current }
        return (CPUSet(bitmap: hard), CPUSet(bitmap: soft))
    }

    /// `xc_vcpu_setaffinity` of the maps given (`XEN_VCPUAFFINITY_FORCE` with `force`); the effective affinity Xen
    /// reports back.
    public func setVCPUAffinity(domid: UInt32, vcpu: UInt32, hard: CPUSet?, soft: CPUSet?, force: Bool) throws(Errno) -> (hard: CPUSet, soft: CPUSet) {
        let size = try cpumapBytes()
        var hardMap = hard?.bitmap(bytes: size) ?? [UInt8](repeating: 0, count: size)
        var softMap = soft?.bitmap(bytes: size) ?? [UInt8](repeating: 0, count: size)
        var flags: UInt32 = 0
        if hard != nil { flags |= UInt32(XEN_VCPUAFFINITY_HARD) }
        if soft != nil { flags |= UInt32(XEN_VCPUAFFINITY_SOFT) }
        if force { flags |= UInt32(XEN_VCPUAFFINITY_FORCE) }
        Errno.clear()
        let rc = hardMap.withUnsafeMutableBufferPointer { h in
            softMap.withUnsafeMutableBufferPointer { s in xc_vcpu_setaffinity(handle, domid, Int32(bitPattern: vcpu), h.baseAddress, s.baseAddress, flags) }
        }
        guard rc == 0 else { throw Errno.current }
        return (CPUSet(bitmap: hardMap), CPUSet(bitmap: softMap))
    }

    /// Every CPU pool, in id order (`xc_cpupool_getinfo` from each next id).
    public func cpupools() throws(Errno) -> [XenCPUPoolInfo] {
        let size = try cpumapBytes()
        var pools: [XenCPUPoolInfo] = []
        var next: UInt32 = 0
        while pools.count < 4096 {
            Errno.clear()
            guard let info = xc_cpupool_getinfo(handle, next) else {
                // libxenctrl's end of the list: Xen found no pool at or after `next`.
                if Errno.current == .ENOENT { return pools }
                throw Errno.current
            }
            defer { xc_cpupool_infofree(handle, info) }
            let map = info.pointee.cpumap.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            pools.append(XenCPUPoolInfo(id: info.pointee.cpupool_id, schedulerID: info.pointee.sched_id,
                                        domainCount: info.pointee.n_dom, cpus: CPUSet(bitmap: map)))
            guard info.pointee.cpupool_id < UInt32.max else { return pools }
            next = info.pointee.cpupool_id + 1
        }
        return pools
    }

    /// The CPUs in no pool (`xc_cpupool_freeinfo`).
    public func freeCPUs() throws(Errno) -> CPUSet {
        let size = try cpumapBytes()
        Errno.clear()
        guard let map = xc_cpupool_freeinfo(handle) else { throw Errno.current }
        defer { free(map) }
        return CPUSet(bitmap: Array(UnsafeBufferPointer(start: map, count: size)))
    }

    /// `xc_cpupool_create`: a new empty pool with `id` (`XC_CPUPOOL_POOLID_ANY` for Xen's choice) and the scheduler.
    public func createCPUPool(id: UInt32?, schedulerID: UInt32) throws(Errno) -> UInt32 {
        var pool = id ?? UInt32(XC_CPUPOOL_POOLID_ANY)
        try check(xc_cpupool_create(handle, &pool, schedulerID))
        return pool
    }

    /// `xc_cpupool_destroy`.
    public func destroyCPUPool(_ id: UInt32) throws(Errno) { try check(xc_cpupool_destroy(handle, id)) }

    /// `xc_cpupool_addcpu`.
    public func addCPU(_ cpu: Int, toPool id: UInt32) throws(Errno) { try check(xc_cpupool_addcpu(handle, id, Int32(cpu))) }

    /// `xc_cpupool_removecpu`.
    public func removeCPU(_ cpu: Int, fromPool id: UInt32) throws(Errno) { try check(xc_cpupool_removecpu(handle, id, Int32(cpu))) }

    /// `xc_cpupool_movedomain`.
    public func moveDomain(_ domid: UInt32, toPool id: UInt32) throws(Errno) { try check(xc_cpupool_movedomain(handle, id, domid)) }

    /// The bytes of one cpumap (`xc_get_cpumap_size`).
    private func cpumapBytes() throws(Errno) -> Int {
        Errno.clear()
        let size = xc_get_cpumap_size(handle)
        guard size > 0 else { throw Errno.current == .init(rawValue: 0) ? .EIO : Errno.current }
        return Int(size)
    }

    private func check(_ result: @autoclosure () -> Int32) throws(Errno) {
        Errno.clear()
        guard result() >= 0 else { throw Errno.current }
    }
}
