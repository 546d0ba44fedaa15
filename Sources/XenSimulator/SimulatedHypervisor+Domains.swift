// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// The domain hypercalls of `xl create` and `xl destroy`, with the checks and errnos of Xen on ARM.
/// Any of them can be made to fail once through ``SimulatedHostState/injectedFailures``, keyed by the names below.
extension SimulatedHypervisor: DomainControl {
    /// Most SPIs a virtual GIC has (1020 interrupt IDs, 32 of them per-CPU).
    public static let maxSPIs: UInt32 = 988
    /// Most frames one permission call may grant here; Xen keeps ranges, the simulator keeps frames.
    public static let maxPermissionFrames: UInt64 = 1 << 18

    public func createDomain(_ config: DomainCreateConfig) throws(HypervisorError) -> CreatedDomain {
        let name = "XEN_DOMCTL_createdomain"
        try injectedFailure(name)
        guard config.handle.count == 16, config.maxVCPUs >= 1, config.maxVCPUs <= 128, config.nrSPIs <= Self.maxSPIs else {
            throw HypervisorError(name, errno: .EINVAL)
        }
        let hostGIC = hostGICVersion()
        let gic = config.gic == .native ? hostGIC : config.gic
        // A GICv3 host emulates GICv2 only with the GICv2 compatibility interface; the simulated hosts have none.
        guard gic == hostGIC else { throw HypervisorError(name, errno: .EOPNOTSUPP) }
        let id = addDomain(memoryKiB: 0, vcpus: Int(config.maxVCPUs), directMapped: config.directMap, iommu: config.iommu)
        let index = try domainIndex(id, name)
        state.domains[index].state = .paused
        state.domains[index].controllerPauses = 1
        state.domains[index].handle = config.handle
        state.domains[index].guest = SimulatedGuest(gic: gic, nrSPIs: config.nrSPIs)
        return CreatedDomain(id: id, gic: gic)
    }

    public func setMaxVCPUs(_ domain: DomainID, count: UInt32) throws(HypervisorError) {
        let name = "XEN_DOMCTL_max_vcpus"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        // The count must be the one the domain was created with.
        guard state.domains[index].guest != nil, count == UInt32(state.domains[index].vcpus) else { throw HypervisorError(name, errno: .EINVAL) }
        state.domains[index].guest?.allocatedVCPUs = count
    }

    public func setMaxMemory(_ domain: DomainID, kib: UInt64) throws(HypervisorError) {
        let name = "XEN_DOMCTL_max_mem"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        state.domains[index].guest?.maxMemoryKiB = kib
    }

    public func setPagingPool(_ domain: DomainID, bytes: UInt64) throws(HypervisorError) {
        let name = "XEN_DOMCTL_set_paging_mempool_size"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        // Whole pages only; the simulated host has the memory.
        guard bytes % 4096 == 0, state.domains[index].guest != nil else { throw HypervisorError(name, errno: .EINVAL) }
        state.domains[index].guest?.pagingPoolBytes = bytes
    }

    /// `EVTCHN_2L_NR_CHANNELS` on 64-bit: ports 1 to 4095 (0 is reserved).
    public static let eventChannelPorts: UInt32 = 4096

    public func allocateEventChannel(_ domain: DomainID, remote: DomainID) throws(HypervisorError) -> UInt32 {
        let name = "EVTCHNOP_alloc_unbound"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        return try allocatePort(index, remote: remote, name)
    }

    /// libxenguest's ARM builder, step by step with the call that fails and its errno; failures can be injected
    /// under each call's name. The arm64 `Image` loader and `meminit` placement are ``ARMBootLayout``'s.
    public func loadKernel(_ domain: DomainID, image: GuestBootImage) throws(HypervisorError) -> GuestBootResult {
        for call in ["xc_dom_allocate", "xc_dom_parse_image"] { try injectedFailure(call) }
        let index = try domainIndex(domain, "xc_dom_boot_xen_init")
        let layout: ARMBootLayout
        do throws(ARMBootLayout.Failure) {
            layout = try ARMBootLayout(kernel: image.kernel, ramdiskBytes: image.ramdisk?.count, deviceTreeBytes: image.deviceTree.count,
                                       memoryKiB: image.memoryKiB)
        } catch {
            // No loader for the image, or a kernel past the address space: xc_dom_parse_image. No room: meminit.
            // A kernel beyond RAM: its segment cannot be mapped when the image is built.
            switch error {
            case .notAnImage:
                throw HypervisorError("xc_dom_parse_image", errno: .EINVAL, reason: "xc_dom_find_loader: no loader found")
            case .kernelTooLarge: throw HypervisorError("xc_dom_parse_image", errno: .EINVAL)
            case .memory: throw HypervisorError("xc_dom_boot_mem_init", errno: .ENOMEM)
            case .kernelOutsideRAM: throw HypervisorError("xc_dom_build_image", errno: .ENOMEM)
            }
        }
        guard var tree = try? DeviceTree(validating: image.deviceTree) else { throw HypervisorError("xc_dom_devicetree_mem", errno: .EINVAL) }
        try injectedFailure("xc_dom_boot_mem_init")
        // A guest the builder already ran on has its RAM: populating it again goes over max_pages.
        guard var guest = state.domains[index].guest, guest.layout == nil else { throw HypervisorError("xc_dom_boot_mem_init", errno: .ENOMEM) }
        let ramKiB = layout.bankBytes.reduce(0, +) / 1024
        let limit = guest.maxMemoryKiB ?? 0
        // RAM over max_pages, or no P2M pool to map it with.
        guard ramKiB <= limit, (guest.pagingPoolBytes ?? 0) > 0 else { throw HypervisorError("xc_dom_boot_mem_init", errno: .ENOMEM) }
        if let start = layout.ramdiskStart, let end = layout.ramdiskEnd {
            // libxl's finalise hook: the placeholders become the ramdisk segment.
            guard tree.property("linux,initrd-start", of: "/chosen")?.count == 8, tree.property("linux,initrd-end", of: "/chosen")?.count == 8,
                (try? tree.setProperty("linux,initrd-start", .deviceTreeCells([UInt32(start >> 32), UInt32(start & 0xFFFF_FFFF)]), at: "/chosen")) != nil,
                (try? tree.setProperty("linux,initrd-end", .deviceTreeCells([UInt32(end >> 32), UInt32(end & 0xFFFF_FFFF)]), at: "/chosen")) != nil
            else { throw HypervisorError("fdt_setprop_inplace(/chosen/linux,initrd-*)", errno: .EINVAL) }
        }
        try injectedFailure("xc_dom_build_image")
        // alloc_magic_pages: four pages at GUEST_MAGIC_BASE, on top of RAM; a short populate is EBUSY.
        let magicKiB = GuestMagicPages.count * 4
        guard ramKiB + magicKiB <= limit else { throw HypervisorError("xc_dom_build_image", errno: .EBUSY) }
        try injectedFailure("xc_dom_boot_image")
        // XEN_DOMCTL_setvcpucontext of vCPU 0: it must have been allocated.
        guard guest.allocatedVCPUs != nil else { throw HypervisorError("xc_dom_boot_image", errno: .EINVAL) }
        try injectedFailure("xc_dom_gnttab_init")
        var vpl011: GuestRing?
        if image.vpl011 {
            try injectedFailure("xc_dom_vuart_init")
            let port = try allocatePort(index, remote: image.console.remote, "xc_dom_vuart_init")
            vpl011 = GuestRing(gfn: GuestMagicPages.vpl011GFN, port: port)
        }
        guest.kernelBytes = image.kernel.count
        guest.ramdiskBytes = image.ramdisk?.count
        guest.deviceTree = tree.bytes
        guest.cmdline = image.cmdline
        guest.layout = layout
        guest.vpl011 = vpl011
        guest.parameters = SimulatedGuestParameters(
            storePFN: GuestMagicPages.storeGFN, storeEventChannel: image.store.port,
            consolePFN: GuestMagicPages.consoleGFN, consoleEventChannel: image.console.port, callbackIRQ: GuestCallback.irq)
        state.domains[index].guest = guest
        state.domains[index].memoryKiB = ramKiB + magicKiB
        return GuestBootResult(storeGFN: GuestMagicPages.storeGFN, consoleGFN: GuestMagicPages.consoleGFN, vpl011: vpl011, layout: layout)
    }

    public func bindSPI(_ irq: UInt32, to domain: DomainID) throws(HypervisorError) {
        let name = "XEN_DOMCTL_bind_pt_irq"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let hardware = self.hardware()
        // Xen's order: the caller's right to the IRQ (dom0 holds only device SPIs), then vgic_reserve_virq
        // (beyond the domain's SPIs, or already reserved), then route_irq_to_guest (not an SPI; routed elsewhere).
        guard callerHoldsIRQ(irq, hardware) else { throw HypervisorError(name, errno: .EPERM) }
        guard irq >= 32 else { throw HypervisorError(name, errno: .EINVAL) }
        let spis = state.domains[index].guest?.nrSPIs ?? 0
        guard irq - 32 < spis, !state.domains[index].routedIRQs.contains(irq) else { throw HypervisorError(name, errno: .EBUSY) }
        if isRouted(irq, hardware) { throw HypervisorError(name, errno: .EBUSY) }
        state.domains[index].routedIRQs.insert(irq)
    }

    public func iomemPermission(_ domain: DomainID, frame: UInt64, count: UInt64, allow: Bool) throws(HypervisorError) {
        let name = "XEN_DOMCTL_iomem_permission"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let frames = try range(frame, count, name)
        guard count <= Self.maxPermissionFrames else { throw HypervisorError(name, errno: .ENOMEM) }
        guard callerMayMap(frames) else { throw HypervisorError(name, errno: .EPERM) }
        if allow {
            state.domains[index].mmioPermissions.formUnion(frames)
        } else {
            state.domains[index].mmioPermissions.subtract(frames)
        }
    }

    public func memoryMapping(_ domain: DomainID, gfn: UInt64, frame: UInt64, count: UInt64, add: Bool) throws(HypervisorError) {
        let name = "XEN_DOMCTL_memory_mapping"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let frames = try range(frame, count, name)
        _ = try range(gfn, count, name)
        guard count <= DomainControlLimits.mappingBatch else { throw HypervisorError(name, errno: .E2BIG) }
        guard callerMayMap(frames), frames.allSatisfy(state.domains[index].mmioPermissions.contains) else {
            throw HypervisorError(name, errno: .EPERM)
        }
        for offset in 0..<count {
            if add {
                state.domains[index].mmioMappings[gfn + offset] = frame + offset
            } else {
                state.domains[index].mmioMappings[gfn + offset] = nil
            }
        }
    }

    public func testAssignDevice(_ path: String) throws(HypervisorError) {
        let name = "XEN_DOMCTL_test_assign_device"
        try injectedFailure(name)
        let tree = try liveHostTree(name)
        guard tree.hasNode(path) else { throw HypervisorError(name, errno: .ESRCH) }
        // iommu_dt_device_is_assigned: only a device behind an IOMMU counts as assigned; Xen says EINVAL.
        if tree.property("iommus", of: path) != nil, deviceOwner(path) != .io { throw HypervisorError(name, errno: .EINVAL) }
    }

    public func assignDevice(_ path: String, to domain: DomainID) throws(HypervisorError) {
        let name = "XEN_DOMCTL_assign_device"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        let tree = try liveHostTree(name)
        guard tree.hasNode(path) else { throw HypervisorError(name, errno: .ESRCH) }
        // iommu_assign_dt_device: the domain must use the IOMMU and the device must be behind one (EINVAL),
        // then the device must be free (EBUSY).
        guard state.domains[index].iommu, tree.property("iommus", of: path) != nil else { throw HypervisorError(name, errno: .EINVAL) }
        guard deviceOwner(path) == .io else { throw HypervisorError(name, errno: .EBUSY) }
        state.deviceOwners[path] = domain
    }

    public func unpause(_ domain: DomainID) throws(HypervisorError) {
        let name = "XEN_DOMCTL_unpausedomain"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        // domain_unpause_by_systemcontroller: only a pause the toolstack made can be taken back.
        guard state.domains[index].controllerPauses > 0 else { throw HypervisorError(name, errno: .EINVAL) }
        state.domains[index].controllerPauses -= 1
        guard state.domains[index].controllerPauses == 0 else { return }
        state.domains[index].state.remove(.paused)
        if !state.domains[index].state.contains(.shutdown) { state.domains[index].state.insert(.running) }
        bootGuest(index)
    }

    public func destroy(_ domain: DomainID) throws(HypervisorError) {
        try injectedFailure("XEN_DOMCTL_destroydomain")
        try removeDomain(domain)
    }

    // MARK: Checks

    /// Who holds a device: an explicit assignment, else dom0 for protected devices it booted with, else `DOMID_IO`.
    func deviceOwner(_ path: String) -> DomainID {
        if let owner = state.deviceOwners[path] { return owner }
        return hardware().dom0Devices.contains(path) ? .dom0 : .io
    }

    /// Whether the arm64 Image header's magic is present.
    static func isARM64Image(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 64 && Array(bytes[0x38..<0x3C]) == Array("ARM\u{64}".utf8)
    }

    private func hardware() -> SimulatedHardware { SimulatedHardware(tree: try? hostTree()) }

    /// The caller is dom0: it may hand on an IRQ it was given, or one of a device it booted with.
    private func callerHoldsIRQ(_ irq: UInt32, _ hardware: SimulatedHardware) -> Bool {
        let dom0 = state.index(of: .dom0).map { state.domains[$0].irqPermissions } ?? []
        return dom0.contains(irq) || hardware.dom0IRQs.contains(irq)
    }

    /// Whether any domain has the IRQ routed, dom0's boot-time routes included.
    private func isRouted(_ irq: UInt32, _ hardware: SimulatedHardware) -> Bool {
        hardware.dom0RoutedIRQs.contains(irq) || state.domains.contains { $0.routedIRQs.contains(irq) }
    }

    /// The caller is dom0: every frame but Xen's own and RAM.
    private func callerMayMap(_ frames: ClosedRange<UInt64>) -> Bool { hardware().dom0MayMap(frames) }

    private func range(_ first: UInt64, _ count: UInt64, _ name: String) throws(HypervisorError) -> ClosedRange<UInt64> {
        let (last, overflow) = first.addingReportingOverflow(count)
        guard count > 0, !overflow, last <= 1 << 40 else { throw HypervisorError(name, errno: .EINVAL) }
        return first...(last - 1)
    }

    func domainIndex(_ domain: DomainID, _ name: String) throws(HypervisorError) -> Int {
        guard let index = state.index(of: domain) else { throw HypervisorError(name, errno: .ESRCH) }
        return index
    }

    private func liveHostTree(_ name: String) throws(HypervisorError) -> DeviceTree {
        do { return try hostTree() } catch { throw HypervisorError(name, errno: .EINVAL) }
    }

    /// The host GIC's version: v3 when an `arm,gic-v3` controller is in the host tree.
    private func hostGICVersion() -> GuestGIC {
        guard let tree = try? hostTree(), let paths = try? tree.nodePaths() else { return .v2 }
        let v3 = paths.contains { tree.isGIC($0) && (tree.property("compatible", of: $0)?.deviceTreeStrings ?? []).contains("arm,gic-v3") }
        return v3 ? .v3 : .v2
    }

    /// `get_free_port`: the lowest free port, or `ENOSPC`. The domain's channels stay sorted by port.
    private func allocatePort(_ index: Int, remote: DomainID, _ name: String) throws(HypervisorError) -> UInt32 {
        let channels = state.domains[index].eventChannels
        var port: UInt32 = 1
        var position = 0
        while position < channels.count, channels[position].port == port {
            port += 1
            position += 1
        }
        guard port < Self.eventChannelPorts else { throw HypervisorError(name, errno: .ENOSPC) }
        state.domains[index].eventChannels.insert(SimulatedEventChannel(port: port, remote: remote), at: position)
        return port
    }

    /// One step of the running command (``SimulatedKillPoints``), then the failure injected for `operation`, if any.
    func injectedFailure(_ operation: String) throws(HypervisorError) {
        killPoints?.reached(operation)
        if let errno = state.injectedFailures.removeValue(forKey: operation) { throw HypervisorError(operation, errno: errno) }
    }
}
