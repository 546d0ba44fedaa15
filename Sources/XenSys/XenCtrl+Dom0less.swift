// SPDX-License-Identifier: Apache-2.0
import CXen
import Glibc
import XenTypes

/// The raw `xc_domaininfo_t` fields `init-dom0less` reads.
public struct XenDom0lessInfo: Hashable, Sendable {
    public var domid: UInt16
    public var flags: UInt32
    public var maxPages: UInt64
    public var totalPages: UInt64
    public var maxVCPUID: UInt32
    public var handle: [UInt8]

    public var isHVM: Bool { flags & XEN_DOMINF_hvm_guest != 0 }
    public var isGoingAway: Bool { flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown) != 0 }
}

extension XenCtrl {
    /// `xc_domain_getinfolist` for exactly `domid`; `ESRCH` when it does not exist.
    public func dom0lessInfo(_ domid: UInt16) throws(Errno) -> XenDom0lessInfo {
        var raw = xc_domaininfo_t()
        Errno.clear()
        let count = xc_domain_getinfolist(handle, UInt32(domid), 1, &raw)
        guard count >= 0 else { throw Errno.current }
        guard count == 1, raw.domain == domid else { throw Errno.ESRCH }
        let handleBytes = withUnsafeBytes(of: raw.handle) { Array($0) }
        return XenDom0lessInfo(domid: raw.domain, flags: raw.flags, maxPages: raw.max_pages, totalPages: raw.tot_pages,
                               maxVCPUID: raw.max_vcpu_id, handle: handleBytes)
    }

    /// `xc_vcpu_getinfo(...).online`.
    public func isVCPUOnline(_ domid: UInt16, vcpu: UInt32) throws(Errno) -> Bool {
        var info = xc_vcpuinfo_t()
        Errno.clear()
        guard xc_vcpu_getinfo(handle, UInt32(domid), vcpu, &info) == 0 else { throw Errno.current }
        return info.online != 0
    }

    /// `xc_hvm_param_get`.
    public func hvmParam(_ domid: UInt16, _ parameter: UInt32) throws(Errno) -> UInt64 {
        var value: UInt64 = 0
        Errno.clear()
        guard xc_hvm_param_get(handle, UInt32(domid), parameter, &value) == 0 else { throw Errno.current }
        return value
    }

    /// `xc_hvm_param_set`.
    public func setHVMParam(_ domid: UInt16, _ parameter: UInt32, _ value: UInt64) throws(Errno) {
        Errno.clear()
        guard xc_hvm_param_set(handle, UInt32(domid), parameter, value) == 0 else { throw Errno.current }
    }

    /// `xc_domain_setmaxmem`.
    public func setMaxMemory(_ domid: UInt16, kiB: UInt64) throws(Errno) {
        Errno.clear()
        guard xc_domain_setmaxmem(handle, UInt32(domid), kiB) == 0 else { throw Errno.current }
    }

    /// `xc_domain_populate_physmap_exact` of one order-0 extent at `gfn`.
    public func populatePage(_ domid: UInt16, gfn: UInt64) throws(Errno) {
        var pfn = xen_pfn_t(gfn)
        Errno.clear()
        guard xc_domain_populate_physmap_exact(handle, UInt32(domid), 1, 0, 0, &pfn) == 0 else { throw Errno.current }
    }

    /// `xc_clear_domain_pages` of one page.
    public func clearPage(_ domid: UInt16, gfn: UInt64) throws(Errno) {
        Errno.clear()
        guard xc_clear_domain_pages(handle, UInt32(domid), UInt(gfn), 1) == 0 else { throw Errno.current }
    }

    /// `xc_dom_gnttab_seed(xch, domid, is_hvm, console_gfn = -1, xenstore_gfn, 0, xenstore_domid)`.
    public func seedGrantTable(_ domid: UInt16, isHVM: Bool, xenstoreGFN: UInt64, xenstoreDomain: UInt16) throws(Errno) {
        Errno.clear()
        let noConsole = xen_pfn_t.max
        guard xc_dom_gnttab_seed(handle, UInt32(domid), isHVM, noConsole, xen_pfn_t(xenstoreGFN), 0, UInt32(xenstoreDomain)) == 0
        else { throw Errno.current }
    }

    /// `xc_domain_sethandle`.
    public func setHandle(_ domid: UInt16, _ bytes: [UInt8]) throws(Errno) {
        guard bytes.count == 16 else { throw Errno.EINVAL }
        var raw = xen_domain_handle_t(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        Errno.clear()
        guard xc_domain_sethandle(handle, UInt32(domid), &raw.0) == 0 else { throw Errno.current }
    }
}

/// A libxenforeignmemory handle, to write into a guest page.
public final class ForeignMemory {
    private let handle: OpaquePointer

    /// `xenforeignmemory_open` with a quiet logger.
    public init() throws(Errno) {
        Errno.clear()
        guard let handle = xenforeignmemory_open(xlswift_quiet_logger(), 0) else { throw Errno.current }
        self.handle = handle
    }

    deinit { xenforeignmemory_close(handle) }

    /// Whether the guest has a page at `gfn`: the per-page error of a one-page mapping says.
    public func isMapped(_ domid: UInt16, gfn: UInt64) throws(Errno) -> Bool {
        var pfn = xen_pfn_t(gfn)
        var error: Int32 = 0
        Errno.clear()
        guard let page = xenforeignmemory_map(handle, UInt32(domid), PROT_READ, 1, &pfn, &error) else {
            let failure = Errno.current
            if failure == .EFAULT || failure == .ENOENT || failure == .EINVAL { return false }
            throw failure
        }
        _ = xenforeignmemory_unmap(handle, page, 1)
        return error == 0
    }

    /// Maps the guest page at `gfn` read-write and sets `xenstore_domain_interface.connection`.
    public func setXenstoreConnection(_ domid: UInt16, gfn: UInt64, to value: UInt32) throws(Errno) {
        var pfn = xen_pfn_t(gfn)
        Errno.clear()
        guard let page = xenforeignmemory_map(handle, UInt32(domid), PROT_READ | PROT_WRITE, 1, &pfn, nil) else { throw Errno.current }
        page.assumingMemoryBound(to: xenstore_domain_interface.self).pointee.connection = value
        _ = xenforeignmemory_unmap(handle, page, 1)
    }
}
