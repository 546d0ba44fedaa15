// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// What the simulated Xen holds for a domain `xl create` built: its arch config and what the domain builder loaded.
public struct SimulatedGuest: Hashable, Sendable, Codable {
    public var gic: GuestGIC
    public var nrSPIs: UInt32
    /// vCPUs allocated by `XEN_DOMCTL_max_vcpus`; nil until then (the builder cannot start vCPU 0).
    public var allocatedVCPUs: UInt32?
    /// The P2M page pool (`XEN_DOMCTL_set_paging_mempool_size`), in bytes; nil until set.
    public var pagingPoolBytes: UInt64?
    /// `XEN_DOMCTL_max_mem`, in KiB; nil until set.
    public var maxMemoryKiB: UInt64?
    /// Sizes of the loaded kernel and ramdisk; nil until the domain builder ran.
    public var kernelBytes: Int?
    public var ramdiskBytes: Int?
    /// The guest device tree the domain builder placed in guest memory.
    @OptionalBase64Bytes public var deviceTree: [UInt8]?
    public var cmdline: String?
    /// Where the builder put the images.
    public var layout: ARMBootLayout?
    /// The HVM parameters the builder set (`HVM_PARAM_STORE_PFN`, `_STORE_EVTCHN`, `_CONSOLE_PFN`,
    /// `_CONSOLE_EVTCHN`, `_CALLBACK_IRQ`); nil until the builder ran.
    public var parameters: SimulatedGuestParameters?
    /// The emulated SBSA UART's ring and port, when the builder set one up.
    public var vpl011: GuestRing?
    /// What the guest wrote to its PV console ring (hvc0), at most ``consoleLimit`` bytes (the oldest go first);
    /// empty once booted when its kernel writes to the vpl011 only, nil until it booted.
    public var console: String?
    /// What the guest wrote to its vpl011 (ttyAMA0), bounded as ``console``; nil when it wrote nothing there.
    public var vuartConsole: String?

    /// The guest's PV drivers (Linux's `drivers/xen/manage.c`) connected to xenstore and announced
    /// `control/feature-*`; nil until then, false for a kernel started with `xen_nopv`, which never does.
    public var pvControl: Bool?

    /// Most console bytes kept, like xenconsoled's per-domain buffer limit.
    public static let consoleLimit = 65536

    public init(gic: GuestGIC, nrSPIs: UInt32) {
        self.gic = gic
        self.nrSPIs = nrSPIs
    }
}

/// The HVM parameters libxenguest's ARM builder sets in `alloc_magic_pages` (and libxl's callback IRQ).
public struct SimulatedGuestParameters: Hashable, Sendable, Codable {
    public var storePFN: UInt64
    public var storeEventChannel: UInt32
    public var consolePFN: UInt64
    public var consoleEventChannel: UInt32
    /// `HVM_PARAM_CALLBACK_IRQ`: PPI 31, active-low level.
    public var callbackIRQ: UInt64

    public init(storePFN: UInt64, storeEventChannel: UInt32, consolePFN: UInt64, consoleEventChannel: UInt32, callbackIRQ: UInt64) {
        self.storePFN = storePFN
        self.storeEventChannel = storeEventChannel
        self.consolePFN = consolePFN
        self.consoleEventChannel = consoleEventChannel
        self.callbackIRQ = callbackIRQ
    }
}

/// An event channel port of a domain that another domain may bind (`ECS_UNBOUND`).
public struct SimulatedEventChannel: Hashable, Sendable, Codable {
    public var port: UInt32
    public var remote: DomainID

    public init(port: UInt32, remote: DomainID) {
        self.port = port
        self.remote = remote
    }
}
