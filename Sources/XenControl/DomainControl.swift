// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The hypercalls `xl create` and `xl destroy` use to build, give devices to, run and destroy a domain.
///
/// Every failure is a ``HypervisorError`` carrying the errno Xen returned.
public protocol DomainControl: Hypervisor {
    /// `XEN_DOMCTL_createdomain`: a new, paused domain; returns its id and the GIC version Xen chose.
    func createDomain(_ config: DomainCreateConfig) throws(HypervisorError) -> CreatedDomain
    /// `XEN_DOMCTL_max_vcpus`: allocates the domain's vCPUs; `count` must be the `maxVCPUs` it was created with.
    func setMaxVCPUs(_ domain: DomainID, count: UInt32) throws(HypervisorError)
    /// `XEN_DOMCTL_max_mem`: the most memory the domain may hold, in KiB.
    func setMaxMemory(_ domain: DomainID, kib: UInt64) throws(HypervisorError)
    /// `XEN_DOMCTL_set_paging_mempool_size`: the pool of pages Xen builds the guest's P2M tables from;
    /// without it the builder cannot populate guest RAM.
    func setPagingPool(_ domain: DomainID, bytes: UInt64) throws(HypervisorError)
    /// `xc_evtchn_alloc_unbound`: a new unbound port of `domain` that `remote` may bind; Xen hands out the
    /// lowest free port.
    func allocateEventChannel(_ domain: DomainID, remote: DomainID) throws(HypervisorError) -> UInt32
    /// The domain builder (libxenguest): populates `memoryKiB` of guest RAM, loads the boot images, sets up the
    /// xenstore and console pages (and the vpl011 when asked) and returns where they are.
    func loadKernel(_ domain: DomainID, image: GuestBootImage) throws(HypervisorError) -> GuestBootResult
    /// `XEN_DOMCTL_bind_pt_irq` with `PT_IRQ_TYPE_SPI`: routes a physical SPI to the guest, virq equal to irq.
    func bindSPI(_ irq: UInt32, to domain: DomainID) throws(HypervisorError)
    /// `XEN_DOMCTL_iomem_permission`: lets the domain map (or stop it mapping) `count` host frames from `frame`.
    func iomemPermission(_ domain: DomainID, frame: UInt64, count: UInt64, allow: Bool) throws(HypervisorError)
    /// `XEN_DOMCTL_memory_mapping`: maps (or unmaps) `count` host frames from `frame` at guest frame `gfn`.
    /// Xen on ARM refuses more than ``DomainControlLimits/mappingBatch`` frames in one call with `E2BIG`.
    func memoryMapping(_ domain: DomainID, gfn: UInt64, frame: UInt64, count: UInt64, add: Bool) throws(HypervisorError)
    /// `XEN_DOMCTL_test_assign_device` (`XEN_DOMCTL_DEV_DT`): whether the device is free to be assigned.
    func testAssignDevice(_ path: String) throws(HypervisorError)
    /// `XEN_DOMCTL_assign_device` (`XEN_DOMCTL_DEV_DT`): gives a host device-tree node, behind the IOMMU, to the domain.
    func assignDevice(_ path: String, to domain: DomainID) throws(HypervisorError)
    /// `XEN_DOMCTL_pausedomain`: one more pause by the toolstack (Xen counts them, up to 255).
    func pause(_ domain: DomainID) throws(HypervisorError)
    /// `XEN_DOMCTL_unpausedomain`: takes back one pause by the toolstack (`EINVAL` when there is none).
    func unpause(_ domain: DomainID) throws(HypervisorError)
    /// `SCHEDOP_remote_shutdown` (libxenctrl's `xc_domain_shutdown`): Xen shuts the domain down with `reason`, as if the
    /// guest had asked, without the guest's cooperation; a domain already shut down keeps its first reason.
    func remoteShutdown(_ domain: DomainID, reason: ShutdownReason) throws(HypervisorError)
    /// `XEN_DOMCTL_destroydomain`: Xen takes back the domain's memory, IRQs, mappings and devices.
    func destroy(_ domain: DomainID) throws(HypervisorError)
    /// `XENMEM_add_to_physmap_batch` with ``MapSpace/gmfnShare``: maps `count` pages of `owner`'s RAM, from its
    /// guest frame `ownerGFN`, at guest frame `gfn` of `domain`. Returns one entry per page, `nil` where it was
    /// mapped and Xen's errno (from `errs`) where not; a failure of the whole call throws. At most
    /// ``DomainControlLimits/sharedMappingBatch`` pages per call (`EINVAL` beyond).
    func mapSharedPages(_ domain: DomainID, from owner: DomainID, ownerGFN: UInt64, gfn: UInt64, count: UInt64) throws(HypervisorError) -> [Errno?]
    /// `XENMEM_remove_from_physmap`: removes the page mapped at guest frame `gfn` of `domain`.
    func removeFromPhysmap(_ domain: DomainID, gfn: UInt64) throws(HypervisorError)
}

/// Map spaces of `XENMEM_add_to_physmap_batch` beyond upstream's `xen/include/public/memory.h`.
public enum MapSpace {
    /// `XENMAPSPACE_gmfn_share`: another domain's RAM, mapped by dom0 on the borrower's behalf. Only the
    /// Xilinx/AMD fork of Xen has it; upstream Xen answers every page with `ENOSYS` (ARM's unknown map space).
    public static let gmfnShare: UInt32 = 6
}

/// Limits of the domain hypercalls on ARM.
public enum DomainControlLimits {
    /// Most frames one `XEN_DOMCTL_memory_mapping` maps on ARM (`64`; more is `E2BIG`).
    public static let mappingBatch: UInt64 = 64
    /// Most pages one `XENMEM_add_to_physmap_batch` carries: its `size` field is a `uint16_t`.
    public static let sharedMappingBatch: UInt64 = 65535
}

/// The guest interrupt controller asked for at creation (`XEN_DOMCTL_CONFIG_GIC_*`).
public enum GuestGIC: UInt8, Hashable, Sendable, Codable {
    /// Same as the host's.
    case native = 0
    case v2 = 1
    case v3 = 2
}

/// What `XEN_DOMCTL_createdomain` is given for an ARM guest.
public struct DomainCreateConfig: Hashable, Sendable, Codable {
    /// The domain handle (its UUID's 16 bytes).
    public var handle: [UInt8]
    public var maxVCPUs: UInt32
    public var gic: GuestGIC
    /// SPIs the virtual GIC gets (`nr_spis`).
    public var nrSPIs: UInt32
    /// `XEN_DOMCTL_CDF_iommu`: devices behind the IOMMU may be assigned.
    public var iommu: Bool
    /// `XEN_DOMCTL_CDF_directmap`: guest physical equals host physical (never set by `xl create`).
    public var directMap: Bool

    public init(handle: [UInt8], maxVCPUs: UInt32, gic: GuestGIC, nrSPIs: UInt32, iommu: Bool, directMap: Bool = false) {
        self.handle = handle
        self.maxVCPUs = maxVCPUs
        self.gic = gic
        self.nrSPIs = nrSPIs
        self.iommu = iommu
        self.directMap = directMap
    }
}

/// A domain `XEN_DOMCTL_createdomain` made: its id and the GIC version Xen gave it.
public struct CreatedDomain: Hashable, Sendable {
    public var id: DomainID
    public var gic: GuestGIC
    public init(id: DomainID, gic: GuestGIC) {
        self.id = id
        self.gic = gic
    }
}

/// What the domain builder loads into a new guest: RAM, kernel, ramdisk, device tree, command line, and the
/// event channels the toolstack allocated for the xenstore and console rings.
public struct GuestBootImage: Hashable, Sendable, Codable {
    public var memoryKiB: UInt64
    public var kernel: [UInt8]
    public var ramdisk: [UInt8]?
    /// The guest device tree; the builder rewrites `/chosen/linux,initrd-start/-end` with where it put the ramdisk.
    public var deviceTree: [UInt8]
    public var cmdline: String?
    public var vcpus: UInt32
    /// The guest's unbound xenstore port and the domain xenstored runs in.
    public var store: GuestEventChannel
    /// The guest's unbound console port and the domain xenconsoled runs in.
    public var console: GuestEventChannel
    /// Set up the emulated SBSA UART (`vuart = "sbsa_uart"`).
    public var vpl011: Bool

    public init(memoryKiB: UInt64, kernel: [UInt8], ramdisk: [UInt8]?, deviceTree: [UInt8], cmdline: String?, vcpus: UInt32,
                store: GuestEventChannel, console: GuestEventChannel, vpl011: Bool) {
        self.memoryKiB = memoryKiB
        self.kernel = kernel
        self.ramdisk = ramdisk
        self.deviceTree = deviceTree
        self.cmdline = cmdline
        self.vcpus = vcpus
        self.store = store
        self.console = console
        self.vpl011 = vpl011
    }
}

/// One event channel of a guest: its port, and the domain at the other end.
public struct GuestEventChannel: Hashable, Sendable, Codable {
    public var port: UInt32
    public var remote: DomainID
    public init(port: UInt32, remote: DomainID) {
        self.port = port
        self.remote = remote
    }
}

/// What the domain builder set up: the guest frames of the xenstore and console rings (also in
/// `HVM_PARAM_STORE_PFN` and `HVM_PARAM_CONSOLE_PFN`), the vpl011's ring and port, and where the images went.
public struct GuestBootResult: Hashable, Sendable, Codable {
    public var storeGFN: UInt64
    public var consoleGFN: UInt64
    /// The vpl011's ring frame and its event channel towards the console back end; nil without `vpl011`.
    public var vpl011: GuestRing?
    public var layout: ARMBootLayout

    public init(storeGFN: UInt64, consoleGFN: UInt64, vpl011: GuestRing?, layout: ARMBootLayout) {
        self.storeGFN = storeGFN
        self.consoleGFN = consoleGFN
        self.vpl011 = vpl011
        self.layout = layout
    }
}

/// A shared ring page of a guest and the event channel that signals it.
public struct GuestRing: Hashable, Sendable, Codable {
    public var gfn: UInt64
    public var port: UInt32
    public init(gfn: UInt64, port: UInt32) {
        self.gfn = gfn
        self.port = port
    }
}

/// The ARM guest's "magic" pages (`GUEST_MAGIC_BASE` = 0x39000000), which the builder populates.
public enum GuestMagicPages {
    public static let consoleGFN: UInt64 = 0x39000
    public static let storeGFN: UInt64 = 0x39001
    public static let memoryAccessGFN: UInt64 = 0x39002
    public static let vpl011GFN: UInt64 = 0x39003
    public static let count: UInt64 = 4
}

/// How an ARM guest hears of event channels.
public enum GuestCallback {
    /// `HVM_PARAM_CALLBACK_IRQ` as libxl sets it: PPI 31 (`GUEST_EVTCHN_PPI`), active-low level.
    public static let irq: UInt64 = XenCtrl.callbackIRQ
}
