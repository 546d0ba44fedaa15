// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

extension SimulatedHostState {
    /// This state after Xen built the `/chosen` domains of the boot tree, with ids from 1 in tree order.
    ///
    /// For `xen,enhanced` domains Xen 4.17–4.20 allocates the xenstore event channel and leaves
    /// `HVM_PARAM_STORE_PFN` at ~0; Xen 4.21+ also allocates the page at gfn 0x39001 (gfn == mfn for
    /// direct-mapped domains), marks it `XENSTORE_RECONNECT` and seeds the grant table, except for
    /// `"legacy"`, which gets the 4.17–4.20 treatment. Invalid trees fail with Xen's message.
    public func bootingDom0less() throws(SimulatorError) -> SimulatedHostState {
        let nodes: [Dom0lessDomainNode]
        let tree: DeviceTree
        do {
            tree = try DeviceTree(validating: bootTree)
            nodes = try Dom0lessDomainNode.all(in: tree, version: version)
        } catch {
            throw SimulatorError("Xen cannot boot this host tree: \(error.message)")
        }
        let pools = try BootCPUPools(tree: tree, defaultScheduler: SimulatedHypervisor.defaultScheduler)
        guard !nodes.isEmpty else { return self }
        var state = self
        var dom0less = Dom0lessHostState()
        for node in nodes {
            let id = DomainID(state.nextDomainID)
            guard id.isOrdinary else { throw SimulatorError("Xen cannot boot this host tree: No more domain IDs available") }
            state.nextDomainID += 1
            var domain = SimulatedDomain(id: id, memoryKiB: node.memoryKiB, vcpus: Int(node.vcpus), state: .running,
                                         directMapped: node.directMap, iommu: !node.passthrough.isEmpty)
            domain.cpupool = try pools.pool(ofDomainNode: node.path, in: tree)
            try state.givePassthrough(node, to: &domain)
            state.domains.append(domain)
            dom0less.domains.append(xenstoreSetup(node, id: id))
        }
        state.dom0less = dom0less
        return state
    }

    /// `alloc_xenstore_evtchn` and, on 4.21+, `alloc_xenstore_page`.
    private func xenstoreSetup(_ node: Dom0lessDomainNode, id: DomainID) -> Dom0lessDomainState {
        var domain = Dom0lessDomainState(
            id: id, node: node.name, enhanced: node.enhanced, storeEventChannel: 0, storePFN: 0, maxMemoryKiB: node.memoryKiB,
            onlineVCPUs: Array(repeating: true, count: Int(node.vcpus)), staticMemory: node.staticMemory)
        guard node.enhanced.wantsXenstore else { return domain }
        // The first free port of a new domain.
        domain.storeEventChannel = 1
        if version < .v4_21 || node.enhanced == .legacy {
            domain.storePFN = Dom0lessXenstore.lateAllocation
            return domain
        }
        // A domheap page; a direct-mapped domain sees it at gfn == mfn, outside its own RAM.
        let gfn = node.directMap ? Self.xenPageFrameBase + UInt64(id.rawValue) : Dom0lessXenstore.pageGFN
        domain.extraPages[gfn] = Dom0lessXenstore.reconnect
        domain.storePFN = gfn
        domain.xenstoreGrant = .init(gfn: gfn, domain: .dom0)
        return domain
    }

    /// Where the simulated Xen 4.21+ takes xenstore pages for direct-mapped domains from.
    static let xenPageFrameBase: UInt64 = 0x7_F000

    /// `handle_passthrough_prop`: MMIO permission and mapping from `xen,reg`, IRQs routed 1:1.
    private mutating func givePassthrough(_ node: Dom0lessDomainNode, to domain: inout SimulatedDomain) throws(SimulatorError) {
        let host: DeviceTree
        do { host = try DeviceTree(validating: hostTree) } catch { throw SimulatorError("Xen cannot boot this host tree: \(error.message)") }
        for device in node.passthrough {
            if let owner = deviceOwners[device.hostPath] {
                throw SimulatorError("Xen cannot boot this host tree: \(device.hostPath) of \(node.name) is already assigned to d\(owner)")
            }
            deviceOwners[device.hostPath] = domain.id
            let resources = (try? host.resources(of: device.hostPath)) ?? DeviceResources()
            for irq in resources.irqs {
                if domains.contains(where: { $0.routedIRQs.contains(irq) }) || domain.routedIRQs.contains(irq) {
                    throw SimulatorError("Xen cannot boot this host tree: failed to route IRQ \(irq) of \(device.hostPath) to \(node.name)")
                }
                domain.irqPermissions.insert(irq)
                domain.routedIRQs.insert(irq)
            }
            for region in device.regions {
                let pages = region.size / 4096
                guard pages <= UInt64(SimulatedHypervisor.maximumFramesPerRange),
                    !region.host.addingReportingOverflow(region.size).overflow,
                    !region.guest.addingReportingOverflow(region.size).overflow
                else {
                    throw SimulatorError("Xen cannot boot this host tree: xen,reg region of \(device.hostPath) for \(node.name) is too large")
                }
                for page in 0..<pages {
                    domain.mmioPermissions.insert(region.host / 4096 + page)
                    domain.mmioMappings[region.guest / 4096 + page] = region.host / 4096 + page
                }
            }
        }
    }
}
