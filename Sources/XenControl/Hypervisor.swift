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

    public init(id: DomainID, memoryKiB: UInt64, vcpus: Int, state: DomainState, cpuTimeNs: UInt64, directMapped: Bool?) {
        self.id = id
        self.memoryKiB = memoryKiB
        self.vcpus = vcpus
        self.state = state
        self.cpuTimeNs = cpuTimeNs
        self.directMapped = directMapped
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

    /// The six-character column of `xl list`, such as `r-----`.
    public var listColumn: String {
        let letters: [(DomainState, Character)] = [
            (.running, "r"), (.blocked, "b"), (.paused, "p"), (.shutdown, "s"), (.crashed, "c"), (.dying, "d"),
        ]
        return String(letters.map { contains($0.0) ? $0.1 : "-" })
    }
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
