// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenTypes

/// Everything the simulated hypervisor knows; saved as JSON between commands.
public struct SimulatedHostState: Sendable, Codable, Equatable {
    public var version: XenVersion
    /// Upstream Xen or a vendor fork of the same release.
    public var flavour: XenFlavour
    /// The device tree Xen booted with.
    @Base64Bytes public var bootTree: [UInt8]
    /// Xen's live host device tree, with every added overlay merged in.
    @Base64Bytes public var hostTree: [UInt8]
    public var domains: [SimulatedDomain]
    public var overlays: [TrackedOverlay] = []
    /// Which domain each assigned device node belongs to (`dt_device_used_by`).
    public var deviceOwners: [String: DomainID] = [:]
    public var nextDomainID: UInt16 = 1
    /// Errors the hypervisor returns instead of running an operation, keyed by operation name
    /// (`XEN_SYSCTL_dt_overlay`, `XEN_DOMCTL_dt_overlay`, `getdomaininfo`); each is used once.
    /// Kept with the state so a test or the tour can make the next command's hypercall fail.
    public var injectedFailures: [String: Errno] = [:]
    /// What Xen set up for the domains it built from `/chosen` at boot (`nil` when none).
    public var dom0less: Dom0lessHostState?
    /// Guest RAM pages tracked one by one (written by a guest, or shared between domains).
    public var memory = SimulatedMemory()
    /// dom0's PV device back ends, bridges and loop devices; nil until a device was first set up.
    public var devices: SimulatedDeviceState?
    /// When the host booted, in seconds since the epoch (dom0's uptime); nil in a host saved before it was kept.
    public var bootTime: Double?
    /// Xen's console ring (`xl dmesg`); nil until first changed: then it holds Xen's boot messages
    /// (``SimulatedHypervisor/bootMessages``). `dmesg -c` leaves it empty.
    public var xenConsole: String?
    /// Xen's CPU pools; nil until first changed: then they are the pools Xen built at boot (``BootCPUPools``).
    public var cpupools: [SimulatedCPUPool]?

    /// A freshly booted host: Xen `version` (of `flavour`), the given host tree, and dom0.
    public init(version: XenVersion, flavour: XenFlavour = .upstream, hostTree: DeviceTree, dom0MemoryKiB: UInt64 = 1_048_576, dom0VCPUs: Int = 4) {
        self.version = version
        self.flavour = flavour
        self.bootTree = hostTree.bytes
        self.hostTree = hostTree.bytes
        self.domains = [
            SimulatedDomain(id: .dom0, memoryKiB: dom0MemoryKiB, vcpus: dom0VCPUs, state: .running, directMapped: true, iommu: true)
        ]
    }

    /// The index of a domain in ``domains``.
    public func index(of domain: DomainID) -> Int? { domains.firstIndex { $0.id == domain } }
}
