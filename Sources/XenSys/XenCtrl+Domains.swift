// SPDX-License-Identifier: Apache-2.0
import CXen
import XenTypes

extension XenCtrl {
    /// `xc_domain_create` for an ARM guest: returns the new domid and the GIC version Xen chose
    /// (`XEN_DOMCTL_CONFIG_GIC_*`). On other architectures the ARM arch config does not exist: `EOPNOTSUPP`.
    public func createARMDomain(
        handle: [UInt8], flags: UInt32, maxVCPUs: UInt32, gicVersion: UInt8, nrSPIs: UInt32
    ) throws(Errno) -> (domid: UInt32, gicVersion: UInt8) {
        #if arch(arm64)
        var config = xen_domctl_createdomain()
        withUnsafeMutableBytes(of: &config.handle) { raw in
            for (index, byte) in handle.prefix(raw.count).enumerated() { raw[index] = byte }
        }
        config.flags = flags
        config.max_vcpus = maxVCPUs
        config.max_evtchn_port = 1023  // libxl's default event_channels: the guest's event channels stay bounded
        config.max_grant_frames = -1
        config.max_maptrack_frames = -1
        // XEN_DOMCTL_GRANT_version(1), libxl's default on ARM; Xen refuses version 0 with EINVAL.
        config.grant_opts = 1
        config.arch.gic_version = gicVersion
        config.arch.nr_spis = nrSPIs
        var domid: UInt32 = 0
        try check(xc_domain_create(self.handle, &domid, &config))
        return (domid, config.arch.gic_version)
        #else
        throw Errno.EOPNOTSUPP
        #endif
    }

    /// `XEN_DOMCTL_CDF_iommu`.
    public static let createFlagIOMMU = UInt32(XEN_DOMCTL_CDF_iommu)
    /// `XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap`, which every ARM guest has.
    public static let createFlagsARM = UInt32(XEN_DOMCTL_CDF_hvm) | UInt32(XEN_DOMCTL_CDF_hap)

    /// `xc_domain_setmaxmem`.
    public func setMaxMemory(domid: UInt32, kib: UInt64) throws(Errno) { try check(xc_domain_setmaxmem(handle, domid, kib)) }

    /// `xc_domain_bind_pt_spi_irq` with the virtual SPI equal to the physical one.
    public func bindSPI(domid: UInt32, irq: UInt16) throws(Errno) { try check(xc_domain_bind_pt_spi_irq(handle, domid, irq, irq)) }

    /// `xc_domain_iomem_permission`.
    public func iomemPermission(domid: UInt32, frame: UInt64, count: UInt64, allow: Bool) throws(Errno) {
        try check(xc_domain_iomem_permission(handle, domid, UInt(frame), UInt(count), allow ? 1 : 0))
    }

    /// `xc_domain_memory_mapping` (`DPCI_ADD_MAPPING` or `DPCI_REMOVE_MAPPING`).
    public func memoryMapping(domid: UInt32, gfn: UInt64, frame: UInt64, count: UInt64, add: Bool) throws(Errno) {
        try check(xc_domain_memory_mapping(handle, domid, UInt(gfn), UInt(frame), UInt(count), add ? 1 : 0))
    }

    /// `xc_test_assign_dt_device`.
    public func testAssignDTDevice(domid: UInt32, path: String) throws(Errno) {
        var bytes = Array(path.utf8CString)
        try check(bytes.withUnsafeMutableBufferPointer { xc_test_assign_dt_device(handle, domid, $0.baseAddress) })
    }

    /// `xc_assign_dt_device`.
    public func assignDTDevice(domid: UInt32, path: String) throws(Errno) {
        var bytes = Array(path.utf8CString)
        try check(bytes.withUnsafeMutableBufferPointer { xc_assign_dt_device(handle, domid, $0.baseAddress) })
    }

    /// `xc_domain_pause`.
    public func pause(domid: UInt32) throws(Errno) { try check(xc_domain_pause(handle, domid)) }
    /// `xc_domain_unpause`.
    public func unpause(domid: UInt32) throws(Errno) { try check(xc_domain_unpause(handle, domid)) }
    /// `xc_domain_shutdown`: `SCHEDOP_remote_shutdown`, as if the guest had shut itself down with `reason` (`SHUTDOWN_*`).
    public func shutdown(domid: UInt32, reason: Int32) throws(Errno) { try check(xc_domain_shutdown(handle, domid, reason)) }
    /// `xc_domain_destroy`.
    public func destroy(domid: UInt32) throws(Errno) { try check(xc_domain_destroy(handle, domid)) }

    /// `xc_domain_add_to_physmap_batch`: maps page `indexes[i]` of `space` (of `foreignDomid` for foreign spaces) at
    /// guest frame `gfns[i]` of `domid`. Returns Xen's per-page result (`0` or a negative errno) from `errs`.
    public func addToPhysmapBatch(domid: UInt32, foreignDomid: UInt32, space: UInt32, indexes: [UInt64], gfns: [UInt64]) throws(Errno) -> [Int32] {
        guard indexes.count == gfns.count, let size = UInt32(exactly: indexes.count) else { throw Errno.EINVAL }
        var idxs = indexes.map { xen_ulong_t(truncatingIfNeeded: $0) }
        var pfns = gfns.map { xen_pfn_t(truncatingIfNeeded: $0) }
        var errs = [Int32](repeating: 0, count: indexes.count)
        try check(idxs.withUnsafeMutableBufferPointer { i in
            pfns.withUnsafeMutableBufferPointer { g in
                errs.withUnsafeMutableBufferPointer { e in
                    xc_domain_add_to_physmap_batch(handle, domid, foreignDomid, space, size, i.baseAddress, g.baseAddress, e.baseAddress)
                }
            }
        })
        return errs
    }

    /// `xc_domain_remove_from_physmap`.
    public func removeFromPhysmap(domid: UInt32, gfn: UInt64) throws(Errno) {
        try check(xc_domain_remove_from_physmap(handle, domid, xen_pfn_t(truncatingIfNeeded: gfn)))
    }

    private func check(_ result: @autoclosure () -> Int32) throws(Errno) {
        Errno.clear()
        guard result() >= 0 else { throw Errno.current }
    }
}
