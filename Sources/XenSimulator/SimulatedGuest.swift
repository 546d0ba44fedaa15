import XenControl

/// What the simulated Xen holds for a domain `xl create` built: its arch config and what the domain builder loaded.
public struct SimulatedGuest: Hashable, Sendable, Codable {
    public var gic: GuestGIC
    public var nrSPIs: UInt32
    /// `XEN_DOMCTL_max_mem`, in KiB; nil until set.
    public var maxMemoryKiB: UInt64?
    /// Sizes of the loaded kernel and ramdisk; nil until the domain builder ran.
    public var kernelBytes: Int?
    public var ramdiskBytes: Int?
    /// The guest device tree the domain builder placed in guest memory.
    public var deviceTree: [UInt8]?
    public var cmdline: String?

    public init(gic: GuestGIC, nrSPIs: UInt32) {
        self.gic = gic
        self.nrSPIs = nrSPIs
    }
}
