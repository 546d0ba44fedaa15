// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The hypercall surface the toolstack uses; one requirement per hypervisor operation.
///
/// Implemented by the real backend (libxencall/libxenctrl) and by the simulated host.
/// Every failure is a ``HypervisorError`` carrying the errno Xen returned.
public protocol Hypervisor: AnyObject {
    /// The running Xen release (`XENVER_version`).
    func version() throws(HypervisorError) -> XenVersion
    /// Every domain Xen knows, in domid order (`xc_domain_getinfolist`).
    func domains() throws(HypervisorError) -> [DomainInfo]
    /// `XEN_SYSCTL_dt_overlay`: add an overlay to, or remove it from, Xen's device tree.
    func dtOverlay(_ operation: DTOverlayOperation, blob: [UInt8]) throws(HypervisorError)
    /// `XEN_DOMCTL_dt_overlay` (Xen 4.19+): give the devices of an added overlay to a domain.
    func dtOverlayAttach(blob: [UInt8], to domain: DomainID) throws(HypervisorError)
}

/// What Xen reports about one domain.
public struct DomainInfo: Hashable, Sendable, Codable {
    public var id: DomainID
    /// Memory currently allocated, in KiB.
    public var memoryKiB: UInt64
    public var vcpus: Int
    public var state: DomainState
    /// CPU time used, in nanoseconds.
    public var cpuTimeNs: UInt64
    /// Whether guest physical addresses equal host physical addresses; `nil` when the backend cannot tell.
    public var directMapped: Bool?
    /// The `SHUTDOWN_*` code the guest gave (poweroff 0, reboot 1, suspend 2, crash 3, watchdog 4, soft reset 5)
    /// while it is shut down; `nil` otherwise.
    public var shutdownReason: UInt8?
    /// The domain handle Xen keeps (the UUID's 16 bytes, all zero for dom0 and a boot-time domain until set);
    /// `nil` when the backend cannot tell.
    public var handle: [UInt8]?
    /// The id of the CPU pool the domain runs in (`cpupool`); 0, `Pool-0`, unless the host has more pools.
    public var cpupool: UInt32
    /// The most memory the domain may hold (`max_pages`), in KiB.
    public var maxMemoryKiB: UInt64
    /// The highest vCPU number (`max_vcpu_id`): the domain's vCPUs are `0...maxVCPUID`, online or not.
    public var maxVCPUID: Int

    public init(id: DomainID, memoryKiB: UInt64, vcpus: Int, state: DomainState, cpuTimeNs: UInt64, directMapped: Bool?,
                shutdownReason: UInt8? = nil, handle: [UInt8]? = nil, cpupool: UInt32 = 0, maxMemoryKiB: UInt64? = nil,
                maxVCPUID: Int? = nil) {
        self.id = id
        self.memoryKiB = memoryKiB
        self.vcpus = vcpus
        self.state = state
        self.cpuTimeNs = cpuTimeNs
        self.directMapped = directMapped
        self.shutdownReason = shutdownReason
        self.handle = handle
        self.cpupool = cpupool
        self.maxMemoryKiB = maxMemoryKiB ?? memoryKiB
        self.maxVCPUID = maxVCPUID ?? max(vcpus - 1, 0)
    }

    /// The six-character state column of `xl list`, as upstream prints it: `r b p s`, then the shutdown
    /// reason's letter (`-` poweroff, `r` reboot, `s` suspend, `c` crash, `w` watchdog, `S` soft reset,
    /// `?` any other), then `d`.
    public var listColumn: String {
        let reasons: [Character] = ["-", "r", "s", "c", "w", "S"]
        let reason: Character = shutdownReason.map { Int($0) < reasons.count ? reasons[Int($0)] : "?" } ?? "-"
        let flags: [(DomainState, Character)] = [(.running, "r"), (.blocked, "b"), (.paused, "p"), (.shutdown, "s")]
        return String(flags.map { state.contains($0.0) ? $0.1 : "-" }) + String(reason) + (state.contains(.dying) ? "d" : "-")
    }
}

/// The run state flags `xl list` shows (`r b p s c d`).
public struct DomainState: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let running = DomainState(rawValue: 1 << 0)
    public static let blocked = DomainState(rawValue: 1 << 1)
    public static let paused = DomainState(rawValue: 1 << 2)
    public static let shutdown = DomainState(rawValue: 1 << 3)
    public static let crashed = DomainState(rawValue: 1 << 4)
    public static let dying = DomainState(rawValue: 1 << 5)

}

/// The operations of `XEN_SYSCTL_dt_overlay`.
public enum DTOverlayOperation: UInt8, Sendable, Codable {
    case add = 1
    case remove = 2
}

/// A failed hypervisor operation: what was asked, the errno Xen returned, and the library's own
/// reason when it gave one (libxenguest's builder explains failures its errno does not).
public struct HypervisorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Errno
    public var reason: String?
    public init(_ operation: String, errno: Errno, reason: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.reason = reason
    }
    public var description: String { "\(operation) failed: \(errno)" + reasonSuffix }
    /// `OPERATION returned ERRNO (reason)`, as the toolstack's messages name a failed call.
    public var returned: String { "\(operation) returned \(errno)" + reasonSuffix }
    private var reasonSuffix: String { reason.map { " (\($0))" } ?? "" }
}
