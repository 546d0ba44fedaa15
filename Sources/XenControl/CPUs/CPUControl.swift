// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The vCPU, affinity and CPU pool hypercalls of `xl vcpu-*` and `xl cpupool-*`.
///
/// Implemented by the real backend (libxenctrl) and by the simulated host. Every failure is a ``HypervisorError``
/// with the errno Xen returned: `ESRCH` for a missing domain, `ENOENT` for a missing pool or vCPU, `EBUSY` for a
/// CPU or pool in use, `EINVAL` for an affinity with no CPU the domain's pool has.
public protocol CPUControl: Hypervisor {
    /// `XEN_DOMCTL_getvcpuinfo`.
    func vcpuInfo(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUInfo
    /// `XEN_DOMCTL_getvcpuaffinity`: the hard and soft affinity.
    func vcpuAffinity(_ domain: DomainID, vcpu: UInt32) throws(HypervisorError) -> VCPUAffinity
    /// `XEN_DOMCTL_setvcpuaffinity` of the maps given (nil: unchanged); `force` is `XEN_VCPUAFFINITY_FORCE`,
    /// which lets a hard affinity outside the domain's pool stand. Returns the affinity now in effect.
    func setVCPUAffinity(_ domain: DomainID, vcpu: UInt32, hard: CPUSet?, soft: CPUSet?, force: Bool) throws(HypervisorError) -> VCPUAffinity
    /// `XEN_SYSCTL_CPUPOOL_OP_INFO` from pool 0 on: every pool, in id order.
    func cpupools() throws(HypervisorError) -> [CPUPoolInfo]
    /// `XEN_SYSCTL_CPUPOOL_OP_FREEINFO`: the CPUs in no pool.
    func freeCPUs() throws(HypervisorError) -> CPUSet
    /// `XEN_SYSCTL_CPUPOOL_OP_CREATE`: a new, empty pool; `id` nil lets Xen choose. Returns its id.
    func createCPUPool(id: UInt32?, scheduler: Scheduler) throws(HypervisorError) -> UInt32
    /// `XEN_SYSCTL_CPUPOOL_OP_DESTROY` of an empty pool with no domain.
    func destroyCPUPool(_ id: UInt32) throws(HypervisorError)
    /// `XEN_SYSCTL_CPUPOOL_OP_ADDCPU` of a free CPU.
    func addCPU(_ cpu: Int, toPool id: UInt32) throws(HypervisorError)
    /// `XEN_SYSCTL_CPUPOOL_OP_RMCPU`.
    func removeCPU(_ cpu: Int, fromPool id: UInt32) throws(HypervisorError)
    /// `XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN`.
    func moveDomain(_ domain: DomainID, toPool id: UInt32) throws(HypervisorError)
}

/// What `XEN_DOMCTL_getvcpuinfo` says of one vCPU.
public struct VCPUInfo: Hashable, Sendable, Codable {
    public var online: Bool
    public var blocked: Bool
    public var running: Bool
    /// CPU time used, in nanoseconds.
    public var cpuTimeNs: UInt64
    /// The physical CPU it runs on or last ran on.
    public var cpu: UInt32

    public init(online: Bool, blocked: Bool, running: Bool, cpuTimeNs: UInt64, cpu: UInt32) {
        self.online = online
        self.blocked = blocked
        self.running = running
        self.cpuTimeNs = cpuTimeNs
        self.cpu = cpu
    }
}

/// A vCPU's hard affinity (where it may run) and soft affinity (where it prefers to run).
public struct VCPUAffinity: Hashable, Sendable, Codable {
    public var hard: CPUSet
    public var soft: CPUSet

    public init(hard: CPUSet, soft: CPUSet) {
        self.hard = hard
        self.soft = soft
    }
}

/// What `XEN_SYSCTL_CPUPOOL_OP_INFO` says of one pool.
public struct CPUPoolInfo: Hashable, Sendable, Codable {
    public var id: UInt32
    public var scheduler: Scheduler
    public var domainCount: Int
    public var cpus: CPUSet

    public init(id: UInt32, scheduler: Scheduler, domainCount: Int, cpus: CPUSet) {
        self.id = id
        self.scheduler = scheduler
        self.domainCount = domainCount
        self.cpus = cpus
    }
}

/// A Xen scheduler by its `XEN_SCHEDULER_*` id, named as libxl names it.
public struct Scheduler: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let sedf = Scheduler(rawValue: 4)
    public static let credit = Scheduler(rawValue: 5)
    public static let credit2 = Scheduler(rawValue: 6)
    public static let arinc653 = Scheduler(rawValue: 7)
    public static let rtds = Scheduler(rawValue: 8)
    public static let null = Scheduler(rawValue: 9)

    /// The schedulers a Xen of 4.17 or later can run, in id order (SEDF is long gone).
    public static let known: [Scheduler] = [.credit, .credit2, .arinc653, .rtds, .null]

    /// libxl's name (`libxl_scheduler_to_string`); nil for an id libxl does not know.
    public var libxlName: String? {
        switch self {
        case .sedf: return "sedf"
        case .credit: return "credit"
        case .credit2: return "credit2"
        case .arinc653: return "arinc653"
        case .rtds: return "rtds"
        case .null: return "null"
        default: return nil
        }
    }

    /// libxl's name, or the id in hex for one it does not know.
    public var name: String { libxlName ?? "0x" + String(rawValue, radix: 16) }

    /// The scheduler Xen can run with libxl's `name`; nil for another name.
    public init?(name: String) {
        guard let found = Self.known.first(where: { $0.libxlName == name }) else { return nil }
        self = found
    }

    public var description: String { name }
}
