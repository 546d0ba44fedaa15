// SPDX-License-Identifier: Apache-2.0
/// The typed configuration of one ARM guest, as `xl create` reads it from an `xl.cfg` file.
public struct DomainConfig: Hashable, Sendable, Codable {
    public var name: String
    /// Nil when the file gives none; `xl create` then generates one.
    public var uuid: DomainUUID?
    public var type: DomainType = .pvh
    /// `memory`, in MiB; nil for libxl's default.
    public var memoryMiB: UInt64?
    /// `maxmem`, in MiB; nil means the same as `memory`.
    public var maxMemoryMiB: UInt64?
    public var vcpus: UInt32?
    public var kernel: String
    public var ramdisk: String?
    /// `cmdline`, or `root=ROOT EXTRA` built from `root` and `extra` as xl does.
    public var cmdline: String?
    public var gicVersion: GICVersion?
    public var nrSPIs: UInt32?
    public var vuart: VUARTType?
    public var onPoweroff: ShutdownAction = .destroy
    public var onReboot: ShutdownAction = .restart
    public var onCrash: ShutdownAction = .destroy
    /// `on_watchdog`: what the monitor does when the guest's watchdog fired (`SHUTDOWN_watchdog`).
    public var onWatchdog: ShutdownAction = .destroy
    /// `on_soft_reset`: what the monitor does when the guest asked for a soft reset (`SHUTDOWN_soft_reset`).
    public var onSoftReset: ShutdownAction = .softReset
    /// `device_tree`: the partial device tree whose `/passthrough` node is copied into the guest's.
    public var deviceTree: String?
    /// `dtdev`: host device-tree paths assigned to the guest through the IOMMU.
    public var dtdevs: [String] = []
    /// `irqs`: physical SPIs routed 1:1 to the guest.
    public var irqs: [UInt32] = []
    /// `iomem`: MMIO page ranges mapped into the guest.
    public var iomem: [IOMemRange] = []
    /// `passthrough` after libxl's ARM defaults: `.disabled` or `.sharePT`.
    public var passthrough: PassthroughMode = .disabled
    /// `static_shm`: memory regions shared with other domains, owned or borrowed.
    public var staticSharedMemory: [StaticSharedMemory] = []
    /// `disk`: virtual block devices, in file order.
    public var disks: [Disk] = []
    /// `vif`: virtual network interfaces, in file order.
    public var nics: [NetworkInterface] = []
    /// Keys upstream's xl reads but ignores for ARM PVH guests, in order of first appearance (for `xl -v`).
    public var ignoredKeys: [String] = []
    /// Keys no xl knows (typos), in order of first appearance; each has a line in ``keyWarnings``.
    public var unknownKeys: [String] = []
    /// One warning per unknown key, with the nearest known key; printed without `-v`.
    public var keyWarnings: [String] = []
    /// Non-fatal remarks, one line each, such as `type="pv"` being turned into PVH.
    public var warnings: [String] = []
    /// Where each key used was set, as `file:line:column`, for later messages.
    public var locations: [String: String] = [:]

    public init(name: String, kernel: String) {
        self.name = name
        self.kernel = kernel
    }

    /// The keys read into typed fields; others are refused, ignored or warned about (``UpstreamKeys``).
    public static let knownKeys: Set<String> = [
        "name", "uuid", "type", "memory", "maxmem", "vcpus", "kernel", "ramdisk", "cmdline", "root", "extra",
        "gic_version", "nr_spis", "vuart", "on_poweroff", "on_reboot", "on_crash", "on_watchdog", "on_soft_reset", "device_tree", "dtdev", "irqs",
        "iomem", "passthrough", "static_shm", "disk", "vif",
    ]
}
