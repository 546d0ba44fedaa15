// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// What `xl info`, `xl list -n` and `xl dmesg` ask Xen about the host: one requirement per hypervisor operation.
/// Implemented by ``XenCallHypervisor`` (encoded hypercalls, ``HostInfoHypercalls``) and the simulated host.
public protocol HostInformation: AnyObject {
    /// `XEN_SYSCTL_physinfo`.
    func physicalInfo() throws(HypervisorError) -> PhysicalInfo
    /// The `XENVER_*` queries libxl's `libxl_get_version_info` makes.
    func versionInfo() throws(HypervisorError) -> XenVersionInfo
    /// `XEN_SYSCTL_sched_id`: the `XEN_SCHEDULER_*` id of the default CPU pool's scheduler.
    func schedulerID() throws(HypervisorError) -> UInt32
    /// `XEN_SYSCTL_readconsole` from the start of Xen's console ring to its end (incremental reads of at most
    /// ``HostInfoHypercalls/consoleChunk`` bytes, as libxl's console reader); `clear` empties the ring as well.
    func readConsole(clear: Bool) throws(HypervisorError) -> [UInt8]
}

/// `struct xen_sysctl_physinfo` (unchanged from Xen 4.17 to 4.22).
public struct PhysicalInfo: Hashable, Sendable, Codable {
    public var threadsPerCore: UInt32
    public var coresPerSocket: UInt32
    public var nrCPUs: UInt32
    public var maxCPUID: UInt32
    public var nrNodes: UInt32
    public var maxNodeID: UInt32
    public var cpuKHz: UInt32
    /// `XEN_SYSCTL_PHYSCAP_*`.
    public var capabilities: UInt32
    /// `XEN_SYSCTL_PHYSCAP_ARM_SVE_MASK`: the SVE vector length / 128 on ARM.
    public var archCapabilities: UInt32
    public var totalPages: UInt64
    public var freePages: UInt64
    public var scrubPages: UInt64
    public var outstandingPages: UInt64
    public var maxMFN: UInt64
    public var hwCap: [UInt32]

    public init(threadsPerCore: UInt32, coresPerSocket: UInt32, nrCPUs: UInt32, maxCPUID: UInt32, nrNodes: UInt32, maxNodeID: UInt32,
                cpuKHz: UInt32, capabilities: UInt32, archCapabilities: UInt32, totalPages: UInt64, freePages: UInt64, scrubPages: UInt64,
                outstandingPages: UInt64, maxMFN: UInt64, hwCap: [UInt32]) {
        self.threadsPerCore = threadsPerCore
        self.coresPerSocket = coresPerSocket
        self.nrCPUs = nrCPUs
        self.maxCPUID = maxCPUID
        self.nrNodes = nrNodes
        self.maxNodeID = maxNodeID
        self.cpuKHz = cpuKHz
        self.capabilities = capabilities
        self.archCapabilities = archCapabilities
        self.totalPages = totalPages
        self.freePages = freePages
        self.scrubPages = scrubPages
        self.outstandingPages = outstandingPages
        self.maxMFN = maxMFN
        self.hwCap = hwCap
    }

    /// The `XEN_SYSCTL_PHYSCAP_*` bits, in the order `xl info` names them.
    public enum Capability: UInt32, CaseIterable, Sendable {
        case hvm = 0x1, pv = 0x2, directio = 0x4, hap = 0x8, shadow = 0x10, iommuHAPPTShare = 0x20, vmtrace = 0x40, vpmu = 0x80
        case gnttabV1 = 0x100, gnttabV2 = 0x200
    }

    public func has(_ capability: Capability) -> Bool { capabilities & capability.rawValue != 0 }
}

/// What the `XENVER_*` sub-commands report (`libxl_version_info`).
public struct XenVersionInfo: Hashable, Sendable, Codable {
    public var major: Int
    public var minor: Int
    /// `XENVER_extraversion`, such as `.0` or `-rc`.
    public var extra: String
    /// `XENVER_capabilities`, such as `xen-3.0-aarch64 xen-3.0-armv7l`.
    public var capabilities: String
    public var changeset: String
    /// `XENVER_platform_parameters`' `virt_start`.
    public var virtStart: UInt64
    /// `XENVER_pagesize`.
    public var pageSize: UInt32
    public var commandline: String
    public var compiler: String
    public var compileBy: String
    public var compileDomain: String
    public var compileDate: String
    /// `XENVER_build_id` as hex; nil when Xen has none.
    public var buildID: String?

    public init(major: Int, minor: Int, extra: String, capabilities: String, changeset: String, virtStart: UInt64, pageSize: UInt32,
                commandline: String, compiler: String, compileBy: String, compileDomain: String, compileDate: String, buildID: String?) {
        self.major = major
        self.minor = minor
        self.extra = extra
        self.capabilities = capabilities
        self.changeset = changeset
        self.virtStart = virtStart
        self.pageSize = pageSize
        self.commandline = commandline
        self.compiler = compiler
        self.compileBy = compileBy
        self.compileDomain = compileDomain
        self.compileDate = compileDate
        self.buildID = buildID
    }
}
