// SPDX-License-Identifier: Apache-2.0
import CXen

/// The fields of one `xc_domaininfo_t` (`struct xen_domctl_getdomaininfo`) that `xl list` shows.
public struct XenDomainInfo: Hashable, Sendable {
    public var domid: UInt16
    /// `XEN_DOMINF_*` bits, with the shutdown reason in bits 16–23.
    public var flags: UInt32
    public var totalPages: UInt64
    public var onlineVCPUs: UInt32
    /// CPU time used, in nanoseconds.
    public var cpuTimeNs: UInt64
    /// `handle`: the domain's UUID bytes.
    public var handle: [UInt8]
    /// `cpupool`: the id of the domain's CPU pool.
    public var cpupool: UInt32
    /// `max_pages`: the most pages the domain may hold.
    public var maxPages: UInt64
    /// `max_vcpu_id`: the highest vCPU number.
    public var maxVCPUID: UInt32

    public init(domid: UInt16, flags: UInt32, totalPages: UInt64, onlineVCPUs: UInt32, cpuTimeNs: UInt64,
                handle: [UInt8] = Array(repeating: 0, count: 16), cpupool: UInt32 = 0, maxPages: UInt64? = nil, maxVCPUID: UInt32? = nil) {
        self.domid = domid
        self.flags = flags
        self.totalPages = totalPages
        self.onlineVCPUs = onlineVCPUs
        self.cpuTimeNs = cpuTimeNs
        self.handle = handle
        self.cpupool = cpupool
        self.maxPages = maxPages ?? totalPages
        self.maxVCPUID = maxVCPUID ?? (onlineVCPUs > 0 ? onlineVCPUs - 1 : 0)
    }

    init(_ info: xc_domaininfo_t) {
        self.init(domid: info.domain, flags: info.flags, totalPages: info.tot_pages,
                  onlineVCPUs: info.nr_online_vcpus, cpuTimeNs: info.cpu_time,
                  handle: withUnsafeBytes(of: info.handle) { Array($0) }, cpupool: info.cpupool,
                  maxPages: info.max_pages, maxVCPUID: info.max_vcpu_id)
    }

    /// The size of a page counted in ``totalPages`` (`XC_PAGE_SIZE`).
    public static let pageSize = UInt64(XC_PAGE_SIZE)

    public var isRunning: Bool { flags & XEN_DOMINF_running != 0 }
    public var isBlocked: Bool { flags & XEN_DOMINF_blocked != 0 }
    public var isPaused: Bool { flags & XEN_DOMINF_paused != 0 }
    public var isShutdown: Bool { flags & XEN_DOMINF_shutdown != 0 }
    public var isDying: Bool { flags & XEN_DOMINF_dying != 0 }
    /// The `SHUTDOWN_*` code the guest gave; meaningful only when ``isShutdown``.
    public var shutdownReason: UInt32 { (flags >> UInt32(XEN_DOMINF_shutdownshift)) & UInt32(XEN_DOMINF_shutdownmask) }
    /// Shut down with reason `SHUTDOWN_crash`.
    public var isCrashed: Bool { isShutdown && shutdownReason == UInt32(SHUTDOWN_crash) }
}
