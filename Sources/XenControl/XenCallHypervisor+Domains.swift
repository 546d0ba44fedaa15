// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The domain hypercalls through libxenctrl, and the ARM domain builder through libxenguest.
extension XenCallHypervisor: DomainControl {
    public func createDomain(_ config: DomainCreateConfig) throws(HypervisorError) -> CreatedDomain {
        var flags = XenCtrl.createFlagsARM
        if config.iommu { flags |= XenCtrl.createFlagIOMMU }
        // xl never asks for XEN_DOMCTL_CDF_directmap; only boot-time domains are direct-mapped.
        guard !config.directMap else { throw HypervisorError("xc_domain_create", errno: .EOPNOTSUPP) }
        let created = try call("xc_domain_create") { (ctrl) throws(Errno) in
            try ctrl.createARMDomain(handle: config.handle, flags: flags, maxVCPUs: config.maxVCPUs,
                                     gicVersion: config.gic.rawValue, nrSPIs: config.nrSPIs)
        }
        return CreatedDomain(id: DomainID(UInt16(truncatingIfNeeded: created.domid)), gic: GuestGIC(rawValue: created.gicVersion) ?? config.gic)
    }

    public func setMaxVCPUs(_ domain: DomainID, count: UInt32) throws(HypervisorError) {
        try call("xc_domain_max_vcpus") { (ctrl) throws(Errno) in try ctrl.setMaxVCPUs(domid: UInt32(domain.rawValue), count: count) }
    }

    public func setMaxMemory(_ domain: DomainID, kib: UInt64) throws(HypervisorError) {
        try call("xc_domain_setmaxmem") { (ctrl) throws(Errno) in try ctrl.setMaxMemory(domid: UInt32(domain.rawValue), kib: kib) }
    }

    public func setPagingPool(_ domain: DomainID, bytes: UInt64) throws(HypervisorError) {
        try call("xc_set_paging_mempool_size") { (ctrl) throws(Errno) in try ctrl.setPagingMempoolSize(domid: UInt32(domain.rawValue), bytes: bytes) }
    }

    public func allocateEventChannel(_ domain: DomainID, remote: DomainID) throws(HypervisorError) -> UInt32 {
        try call("xc_evtchn_alloc_unbound") { (ctrl) throws(Errno) in
            try ctrl.allocateUnboundEventChannel(domid: UInt32(domain.rawValue), remote: UInt32(remote.rawValue))
        }
    }

    /// libxenguest's builder, as libxl runs it for an ARM PVH guest; a failure names the libxenguest call.
    public func loadKernel(_ domain: DomainID, image: GuestBootImage) throws(HypervisorError) -> GuestBootResult {
        guard let ctrl = control as? XenCtrl else { throw HypervisorError("xc_dom_allocate", errno: .ENOSYS) }
        guard let memoryMiB = UInt32(exactly: image.memoryKiB / 1024) else { throw HypervisorError("xc_dom_mem_init", errno: .EINVAL) }
        let request = XenARMBuildRequest(
            kernel: image.kernel, ramdisk: image.ramdisk, deviceTree: image.deviceTree, cmdline: image.cmdline,
            memoryMiB: memoryMiB, maxVCPUs: image.vcpus,
            storeEventChannel: image.store.port, storeDomain: UInt32(image.store.remote.rawValue),
            consoleEventChannel: image.console.port, consoleDomain: UInt32(image.console.remote.rawValue), vpl011: image.vpl011)
        let built: XenARMBuildResult
        do throws(XenBuildError) { built = try ctrl.buildARMGuest(domid: UInt32(domain.rawValue), request) } catch {
            throw HypervisorError(error.call, errno: error.errno, reason: error.reason)
        }
        let layout = ARMBootLayout(
            kernelStart: built.kernelStart, kernelEnd: built.kernelEnd, ramdiskStart: built.ramdiskStart, ramdiskEnd: built.ramdiskEnd,
            deviceTreeStart: built.deviceTreeStart, bankBytes: ARMBootLayout.banks(memoryKiB: image.memoryKiB))
        var vpl011: GuestRing?
        if let gfn = built.vpl011PFN, let port = built.vpl011EventChannel { vpl011 = GuestRing(gfn: gfn, port: port) }
        return GuestBootResult(storeGFN: built.storePFN, consoleGFN: built.consolePFN, vpl011: vpl011, layout: layout)
    }

    public func bindSPI(_ irq: UInt32, to domain: DomainID) throws(HypervisorError) {
        guard let spi = UInt16(exactly: irq) else { throw HypervisorError("xc_domain_bind_pt_spi_irq", errno: .EINVAL) }
        try call("xc_domain_bind_pt_spi_irq") { (ctrl) throws(Errno) in try ctrl.bindSPI(domid: UInt32(domain.rawValue), irq: spi) }
    }

    public func iomemPermission(_ domain: DomainID, frame: UInt64, count: UInt64, allow: Bool) throws(HypervisorError) {
        try call("xc_domain_iomem_permission") { (ctrl) throws(Errno) in
            try ctrl.iomemPermission(domid: UInt32(domain.rawValue), frame: frame, count: count, allow: allow)
        }
    }

    public func memoryMapping(_ domain: DomainID, gfn: UInt64, frame: UInt64, count: UInt64, add: Bool) throws(HypervisorError) {
        try call("xc_domain_memory_mapping") { (ctrl) throws(Errno) in
            try ctrl.memoryMapping(domid: UInt32(domain.rawValue), gfn: gfn, frame: frame, count: count, add: add)
        }
    }

    public func testAssignDevice(_ path: String) throws(HypervisorError) {
        try call("xc_test_assign_dt_device") { (ctrl) throws(Errno) in try ctrl.testAssignDTDevice(domid: 0, path: path) }
    }

    public func assignDevice(_ path: String, to domain: DomainID) throws(HypervisorError) {
        try call("xc_assign_dt_device") { (ctrl) throws(Errno) in try ctrl.assignDTDevice(domid: UInt32(domain.rawValue), path: path) }
    }

    public func pause(_ domain: DomainID) throws(HypervisorError) {
        try call("xc_domain_pause") { (ctrl) throws(Errno) in try ctrl.pause(domid: UInt32(domain.rawValue)) }
    }

    public func unpause(_ domain: DomainID) throws(HypervisorError) {
        try call("xc_domain_unpause") { (ctrl) throws(Errno) in try ctrl.unpause(domid: UInt32(domain.rawValue)) }
    }

    public func remoteShutdown(_ domain: DomainID, reason: ShutdownReason) throws(HypervisorError) {
        try call("xc_domain_shutdown") { (ctrl) throws(Errno) in try ctrl.shutdown(domid: UInt32(domain.rawValue), reason: Int32(reason.rawValue)) }
    }

    public func destroy(_ domain: DomainID) throws(HypervisorError) {
        try call("xc_domain_destroy") { (ctrl) throws(Errno) in try ctrl.destroy(domid: UInt32(domain.rawValue)) }
    }

    public func mapSharedPages(_ domain: DomainID, from owner: DomainID, ownerGFN: UInt64, gfn: UInt64, count: UInt64) throws(HypervisorError) -> [Errno?] {
        let name = "xc_domain_add_to_physmap_batch"
        guard count > 0, count <= DomainControlLimits.sharedMappingBatch,
            !ownerGFN.addingReportingOverflow(count).overflow, !gfn.addingReportingOverflow(count).overflow
        else { throw HypervisorError(name, errno: .EINVAL) }
        let pages = 0..<count
        let results = try call(name) { (ctrl) throws(Errno) in
            try ctrl.addToPhysmapBatch(domid: UInt32(domain.rawValue), foreignDomid: UInt32(owner.rawValue), space: MapSpace.gmfnShare,
                                       indexes: pages.map { ownerGFN + $0 }, gfns: pages.map { gfn + $0 })
        }
        return results.map { $0 == 0 ? nil : Errno(rawValue: Int32(truncatingIfNeeded: $0.magnitude)) }
    }

    public func removeFromPhysmap(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        try call("xc_domain_remove_from_physmap") { (ctrl) throws(Errno) in try ctrl.removeFromPhysmap(domid: UInt32(domain.rawValue), gfn: gfn) }
    }

    /// Runs a libxenctrl call; a control seam other than libxenctrl (a test double) has no domain calls: `ENOSYS`.
    func call<T>(_ name: String, _ body: (XenCtrl) throws(Errno) -> T) throws(HypervisorError) -> T {
        guard let ctrl = control as? XenCtrl else { throw HypervisorError(name, errno: .ENOSYS) }
        do throws(Errno) { return try body(ctrl) } catch { throw HypervisorError(name, errno: error) }
    }
}
