// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// One domain of the simulated host and the hypervisor-side resources it holds.
public struct SimulatedDomain: Hashable, Sendable, Codable {
    public var id: DomainID
    public var memoryKiB: UInt64
    public var vcpus: Int
    public var state: DomainState
    /// Guest physical address equals host physical address (dom0, dom0less `direct-map`).
    public var directMapped: Bool
    /// Created with `XEN_DOMCTL_CDF_iommu`: devices behind an IOMMU can be assigned to it.
    public var iommu: Bool
    /// IRQs the domain may use (`irq_permit_access`).
    public var irqPermissions: Set<UInt32> = []
    /// 4 KiB frames the domain may map (`iomem_permit_access`).
    public var mmioPermissions: Set<UInt64> = []
    /// IRQs routed to the domain; virq equals irq on ARM.
    public var routedIRQs: Set<UInt32> = []
    /// Guest frame to host frame mappings of MMIO (`map_regions_p2mt`).
    public var mmioMappings: [UInt64: UInt64] = [:]
    /// Guest frame to machine frame of the RAM pages tracked in ``SimulatedHostState/memory``: its own pages that
    /// were written or shared, and pages of other domains mapped here.
    public var p2m: [UInt64: UInt64] = [:]
    /// What `xl create` built: arch config and loaded images; `nil` for dom0 and boot-time domains.
    public var guest: SimulatedGuest?
    /// Unbound event channels other domains may bind, by port.
    public var eventChannels: [SimulatedEventChannel] = []
    /// Xen's `controller_pause_count`: pauses by the toolstack not yet taken back (a domain is created with one).
    public var controllerPauses: Int
    /// The `SHUTDOWN_*` code of a domain that shut down (`nil` while it runs).
    public var shutdownReason: UInt8?
    /// The domain handle `XEN_DOMCTL_createdomain` was given; nil for dom0 and boot-time domains (all zero in Xen).
    public var handle: [UInt8]?
    /// The id of the CPU pool it runs in.
    public var cpupool: UInt32 = 0
    /// Each vCPU's scheduler state; nil until first changed: every vCPU online, with every CPU as both affinities.
    public var vcpuStates: [SimulatedVCPU]?

    public init(id: DomainID, memoryKiB: UInt64, vcpus: Int, state: DomainState, directMapped: Bool, iommu: Bool) {
        self.id = id
        self.memoryKiB = memoryKiB
        self.vcpus = vcpus
        self.state = state
        self.directMapped = directMapped
        self.iommu = iommu
        self.controllerPauses = state.contains(.paused) ? 1 : 0
    }

    private enum CodingKeys: String, CodingKey {
        case id, memoryKiB, vcpus, state, directMapped, iommu, irqPermissions, mmioPermissions, routedIRQs, mmioMappings, p2m, guest, eventChannels, controllerPauses, shutdownReason, handle, cpupool, vcpuStates
    }

    /// Encodes sets and the mapping sorted, so that the same state always gives the same bytes
    /// (tests compare host.json to show that a refused command changed nothing).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(memoryKiB, forKey: .memoryKiB)
        try container.encode(vcpus, forKey: .vcpus)
        try container.encode(state, forKey: .state)
        try container.encode(directMapped, forKey: .directMapped)
        try container.encode(iommu, forKey: .iommu)
        try container.encode(irqPermissions.sorted(), forKey: .irqPermissions)
        try container.encode(mmioPermissions.sorted(), forKey: .mmioPermissions)
        try container.encode(routedIRQs.sorted(), forKey: .routedIRQs)
        // A dictionary with integer keys is coded as alternating keys and values.
        try container.encode(mmioMappings.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }, forKey: .mmioMappings)
        try container.encode(p2m.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }, forKey: .p2m)
        try container.encodeIfPresent(guest, forKey: .guest)
        if !eventChannels.isEmpty { try container.encode(eventChannels, forKey: .eventChannels) }
        if controllerPauses > 1 { try container.encode(controllerPauses, forKey: .controllerPauses) }
        try container.encodeIfPresent(shutdownReason, forKey: .shutdownReason)
        try container.encodeIfPresent(handle, forKey: .handle)
        if cpupool != 0 { try container.encode(cpupool, forKey: .cpupool) }
        try container.encodeIfPresent(vcpuStates, forKey: .vcpuStates)
    }

    /// Decodes what ``encode(to:)`` wrote; `eventChannels` may be absent (none, or a host saved before they existed),
    /// and `controllerPauses` is written only above the one a paused state implies.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(DomainID.self, forKey: .id)
        memoryKiB = try container.decode(UInt64.self, forKey: .memoryKiB)
        vcpus = try container.decode(Int.self, forKey: .vcpus)
        state = try container.decode(DomainState.self, forKey: .state)
        directMapped = try container.decode(Bool.self, forKey: .directMapped)
        iommu = try container.decode(Bool.self, forKey: .iommu)
        irqPermissions = try container.decode(Set<UInt32>.self, forKey: .irqPermissions)
        mmioPermissions = try container.decode(Set<UInt64>.self, forKey: .mmioPermissions)
        routedIRQs = try container.decode(Set<UInt32>.self, forKey: .routedIRQs)
        mmioMappings = try container.decode([UInt64: UInt64].self, forKey: .mmioMappings)
        p2m = try container.decode([UInt64: UInt64].self, forKey: .p2m)
        guest = try container.decodeIfPresent(SimulatedGuest.self, forKey: .guest)
        eventChannels = try container.decodeIfPresent([SimulatedEventChannel].self, forKey: .eventChannels) ?? []
        controllerPauses = try container.decodeIfPresent(Int.self, forKey: .controllerPauses) ?? (state.contains(.paused) ? 1 : 0)
        shutdownReason = try container.decodeIfPresent(UInt8.self, forKey: .shutdownReason)
        handle = try container.decodeIfPresent([UInt8].self, forKey: .handle)
        cpupool = try container.decodeIfPresent(UInt32.self, forKey: .cpupool) ?? 0
        vcpuStates = try container.decodeIfPresent([SimulatedVCPU].self, forKey: .vcpuStates)
    }

    /// What `xc_domain_getinfolist` reports.
    public var info: DomainInfo {
        let online = vcpuStates.map { $0.filter(\.online).count } ?? vcpus
        return DomainInfo(id: id, memoryKiB: memoryKiB, vcpus: online, state: state, cpuTimeNs: 0, directMapped: directMapped,
                          shutdownReason: state.contains(.shutdown) ? shutdownReason ?? 0 : nil, handle: handle ?? Array(repeating: 0, count: 16),
                          cpupool: cpupool, maxMemoryKiB: guest?.maxMemoryKiB ?? memoryKiB, maxVCPUID: max(vcpus - 1, 0))
    }
}
