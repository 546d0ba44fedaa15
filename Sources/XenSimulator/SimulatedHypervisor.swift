// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// The hypervisor of a simulated ARM64 Xen host: a stateful fake that answers as Xen does,
/// release by release, with the errno Xen returns.
public final class SimulatedHypervisor: Hypervisor {
    /// The whole hypervisor-side state; read it to assert outcomes, save it to persist.
    public var state: SimulatedHostState
    /// Where the running command traces its steps and may be killed; every hypervisor operation is a step.
    public var killPoints: SimulatedKillPoints?

    public init(state: SimulatedHostState) { self.state = state }

    /// The largest MMIO range, in 4 KiB frames (1 GiB), the simulator grants or maps.
    public static let maximumFramesPerRange = 1 << 18

    /// Xen's `DT_OVERLAY_MAX_SIZE`, `KB(500)`.
    public static let maximumOverlaySize = 512_000

    public func version() throws(HypervisorError) -> XenVersion { state.version }

    public func domains() throws(HypervisorError) -> [DomainInfo] {
        try injectedFailure("getdomaininfo")
        return state.domains.sorted { $0.id < $1.id }.map { domain in
            var info = domain.info
            if let booted = state.dom0less?.domains.first(where: { $0.id == domain.id }) { info.handle = booted.handle }
            return info
        }
    }

    /// The live host device tree.
    public func hostTree() throws(DeviceTreeError) -> DeviceTree { try DeviceTree(validating: state.hostTree) }

    /// Creates a domain directly, as boot or the domain builder would; returns its id.
    public func addDomain(memoryKiB: UInt64, vcpus: Int, directMapped: Bool, iommu: Bool) -> DomainID {
        // Like Xen's domid allocator: count up from the last id, wrap before the reserved ids.
        let limit = DomainID.firstReserved.rawValue
        var candidate = state.nextDomainID
        for _ in 1..<limit {
            if candidate == 0 || candidate >= limit { candidate = 1 }
            if state.index(of: DomainID(candidate)) == nil { break }
            candidate += 1
        }
        let id = DomainID(candidate)
        state.nextDomainID = candidate + 1
        state.domains.append(SimulatedDomain(id: id, memoryKiB: memoryKiB, vcpus: vcpus, state: .running, directMapped: directMapped, iommu: iommu))
        return id
    }

    /// Destroys a domain: its routed IRQs and assigned devices go back to Xen, and its P2M lets go of every
    /// tracked page (pages other domains still map stay until they are unmapped).
    public func removeDomain(_ id: DomainID) throws(HypervisorError) {
        guard id != .dom0 else { throw HypervisorError("XEN_DOMCTL_destroydomain", errno: .EINVAL) }
        guard let index = state.index(of: id) else { throw HypervisorError("XEN_DOMCTL_destroydomain", errno: .ESRCH) }
        let frames = state.domains[index].p2m.values
        state.domains.remove(at: index)
        for frame in frames { dropReference(frame) }
        state.deviceOwners = state.deviceOwners.filter { $0.value != id }
    }

    // MARK: XEN_SYSCTL_dt_overlay

    public func dtOverlay(_ operation: DTOverlayOperation, blob: [UInt8]) throws(HypervisorError) {
        let name = "XEN_SYSCTL_dt_overlay"
        try injectedFailure(name)
        guard state.version >= .v4_18 else { throw HypervisorError(name, errno: .ENOSYS) }
        guard !blob.isEmpty, blob.count <= Self.maximumOverlaySize else { throw HypervisorError(name, errno: .EINVAL) }
        switch operation {
        case .add: try add(blob, name)
        case .remove: try remove(blob, name)
        }
    }

    /// `handle_add_overlay_nodes`.
    private func add(_ blob: [UInt8], _ name: String) throws(HypervisorError) {
        // Xen counts the nodes before it validates the blob; an unreadable blob counts zero.
        let overlay = (try? DeviceTree(validating: blob)).flatMap { try? Overlay($0) }
        let nodeCount = overlay?.fragments.reduce(0) { $0 + $1.nodes.count } ?? 0
        guard nodeCount > 0 else { throw HypervisorError(name, errno: .ENOMEM) }
        guard let overlay else { throw HypervisorError(name, errno: .EINVAL) }
        let host = try liveTree(name)

        var paths: [String] = []
        for fragment in overlay.fragments {
            let target = try targetPath(fragment.target, host: host, name)
            for node in fragment.nodes {
                // 4.18 and 4.19 joined a root target-path into "//node", which no lookup finds.
                if target == "/", state.version < .v4_20 { throw HypervisorError(name, errno: .EINVAL) }
                paths.append(DeviceTree.join(target, node))
            }
        }
        let merged: DeviceTree
        do { merged = try host.applying(overlay.tree) } catch { throw HypervisorError(name, errno: Self.leaked(error)) }
        for path in paths where host.hasNode(path) { throw HypervisorError(name, errno: .EINVAL) }

        var tracked = TrackedOverlay(blob: blob, nodes: paths)
        var granted = state
        granted.hostTree = merged.bytes
        if state.version < .v4_19 {
            // 4.18: add also hands every new device to the hardware domain.
            for path in paths { try handleDevice(path, in: merged, for: .dom0, into: &granted, recording: &tracked, name) }
        }
        granted.overlays.append(tracked)
        state = granted
    }

    /// `handle_remove_overlay_nodes`.
    private func remove(_ blob: [UInt8], _ name: String) throws(HypervisorError) {
        guard (try? DeviceTree(validating: blob)) != nil else { throw HypervisorError(name, errno: .EINVAL) }
        guard let index = state.overlays.firstIndex(where: { $0.blob == blob }) else { throw HypervisorError(name, errno: .EINVAL) }
        let entry = state.overlays[index]
        var host = try liveTree(name)
        for node in entry.nodes {
            let subtree = (try? host.nodePaths(under: node)) ?? []
            for path in subtree {
                if let owner = state.deviceOwners[path], owner != .dom0, owner != .io {
                    throw HypervisorError(name, errno: .EINVAL)
                }
            }
        }
        for node in entry.nodes {
            for path in (try? host.nodePaths(under: node)) ?? [] { state.deviceOwners[path] = nil }
            if host.hasNode(node) {
                do { try host.removeNode(node) } catch { throw HypervisorError(name, errno: .EINVAL) }
            } else if state.version >= .v4_22 {
                throw HypervisorError(name, errno: .ENODEV)
            }
        }
        // Xen revokes the recorded permissions from the hardware domain, whoever the overlay was
        // attached to, and leaves IRQ routes and P2M mappings in place.
        if let dom0 = state.index(of: .dom0) {
            state.domains[dom0].irqPermissions.subtract(entry.irqs)
            state.domains[dom0].mmioPermissions.subtract(entry.frames)
        }
        state.hostTree = host.bytes
        state.overlays.remove(at: index)
    }

    // MARK: XEN_DOMCTL_dt_overlay

    public func dtOverlayAttach(blob: [UInt8], to domain: DomainID) throws(HypervisorError) {
        let name = "XEN_DOMCTL_dt_overlay"
        try injectedFailure(name)
        guard state.version >= .v4_19 else { throw HypervisorError(name, errno: .ENOSYS) }
        guard let domainIndex = state.index(of: domain) else { throw HypervisorError(name, errno: .ESRCH) }
        guard !blob.isEmpty, blob.count <= Self.maximumOverlaySize else { throw HypervisorError(name, errno: .EINVAL) }
        guard state.domains[domainIndex].directMapped else { throw HypervisorError(name, errno: .EOPNOTSUPP) }
        guard (try? DeviceTree(validating: blob)) != nil else { throw HypervisorError(name, errno: .EINVAL) }
        // Xen 4.19 dereferences NULL here when the blob was never added; later releases answer EINVAL.
        guard let index = state.overlays.firstIndex(where: { $0.blob == blob }) else { throw HypervisorError(name, errno: .EINVAL) }
        if state.version >= .v4_22, state.overlays[index].attachedTo != nil { throw HypervisorError(name, errno: .EEXIST) }

        let host = try liveTree(name)
        var tracked = state.overlays[index]
        tracked.attachedTo = domain
        var nodes = tracked.nodes
        if state.version >= .v4_22 {
            // 4.22 also handles the children of each added node.
            nodes = tracked.nodes.flatMap { (try? host.nodePaths(under: $0)) ?? [$0] }
        }
        // Grants made before a failure stay in place, as in Xen.
        for path in nodes {
            do {
                try handleDevice(path, in: host, for: domain, into: &state, recording: &tracked, name)
            } catch {
                state.overlays[index].irqs = tracked.irqs
                state.overlays[index].frames = tracked.frames
                throw error
            }
        }
        state.overlays[index] = tracked
    }

    // MARK: Shared steps

    /// `handle_device`: IOMMU assignment, IRQ permission and 1:1 routing, MMIO permission and 1:1 mapping.
    /// A node with `xen,passthrough` only gets permissions.
    private func handleDevice(
        _ path: String, in tree: DeviceTree, for domain: DomainID, into state: inout SimulatedHostState,
        recording tracked: inout TrackedOverlay, _ name: String
    ) throws(HypervisorError) {
        guard let d = state.index(of: domain) else { throw HypervisorError(name, errno: .ESRCH) }
        let resources: DeviceResources
        do { resources = try tree.resources(of: path) } catch { throw HypervisorError(name, errno: .EINVAL) }
        let owned = !resources.passthrough
        if owned, resources.usesIOMMU {
            guard state.domains[d].iommu else { throw HypervisorError(name, errno: .EINVAL) }
            if let owner = state.deviceOwners[path], owner != domain { throw HypervisorError(name, errno: .EBUSY) }
            state.deviceOwners[path] = domain
        }
        for irq in resources.irqs {
            state.domains[d].irqPermissions.insert(irq)
            tracked.irqs.append(irq)
            if owned {
                // route_irq_to_guest: an IRQ another domain has is EBUSY; routing it to the same domain again
                // (an overlay added again after a remove, which leaves the routing in place) changes nothing.
                if state.domains.indices.contains(where: { $0 != d && state.domains[$0].routedIRQs.contains(irq) }) {
                    throw HypervisorError(name, errno: .EBUSY)
                }
                state.domains[d].routedIRQs.insert(irq)
            }
        }
        for range in resources.mmio {
            guard let frames = range.frames else { throw HypervisorError(name, errno: .EINVAL) }
            // The simulator keeps frames one by one; a larger range than it can hold is refused the
            // way Xen refuses a mapping it cannot allocate for.
            guard frames.count <= Self.maximumFramesPerRange else { throw HypervisorError(name, errno: .ENOMEM) }
            for frame in frames {
                state.domains[d].mmioPermissions.insert(frame)
                tracked.frames.append(frame)
                if owned { state.domains[d].mmioMappings[frame] = frame }
            }
        }
    }

    /// Where a fragment applies, as this release of Xen resolves it.
    private func targetPath(_ target: Overlay.Target, host: DeviceTree, _ name: String) throws(HypervisorError) -> String {
        switch target {
        case .path(let path):
            // fdt_path_offset's -FDT_ERR_NOTFOUND reaches the caller as EPERM.
            guard host.hasNode(path) else { throw HypervisorError(name, errno: .EPERM) }
            return path
        case .label:
            // Before 4.22 the unresolved fixup reads as -FDT_ERR_BADPHANDLE, i.e. ENXIO.
            guard state.version >= .v4_22 else { throw HypervisorError(name, errno: .ENXIO) }
            guard let path = Overlay.resolve(target, in: host) else { throw HypervisorError(name, errno: .EINVAL) }
            return path
        case .phandle:
            guard state.version >= .v4_22, let path = Overlay.resolve(target, in: host) else { throw HypervisorError(name, errno: .EINVAL) }
            return path
        }
    }

    private func liveTree(_ name: String) throws(HypervisorError) -> DeviceTree {
        do { return try hostTree() } catch { throw HypervisorError(name, errno: .EINVAL) }
    }

    /// A libfdt code returned as if it were an errno, as Xen does.
    private static func leaked(_ error: DeviceTreeError) -> Errno {
        guard let code = error.fdt?.code else { return .EINVAL }
        return Errno(rawValue: -code)
    }
}
