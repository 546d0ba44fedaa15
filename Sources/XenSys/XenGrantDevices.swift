// SPDX-License-Identifier: Apache-2.0
import CXen
import Glibc
import XenTypes

/// A libxengnttab handle (`/dev/xen/gntdev`): maps pages another domain granted to this one.
public final class XenGrantTable {
    private let handle: OpaquePointer

    /// `xengnttab_open`; throws the errno it left (`ENOENT` when there is no gntdev device).
    public init() throws(Errno) {
        Errno.clear()
        guard let handle = xengnttab_open(xlswift_quiet_logger(), 0) else { throw Errno.current }
        self.handle = handle
    }

    deinit { xengnttab_close(handle) }

    /// `xengnttab_map_domain_grant_refs`: maps `refs`, granted by `domain`, as one contiguous
    /// region of `refs.count` pages.
    public func map(_ refs: [UInt32], from domain: UInt32, writable: Bool) throws(Errno) -> UnsafeMutableRawPointer {
        guard !refs.isEmpty, refs.count <= Int(UInt32.max) else { throw Errno.EINVAL }
        var list = refs
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        Errno.clear()
        let address = list.withUnsafeMutableBufferPointer { buffer in
            xengnttab_map_domain_grant_refs(handle, UInt32(buffer.count), domain, buffer.baseAddress, protection)
        }
        guard let address else { throw Errno.current }
        return address
    }

    /// `xengnttab_unmap` of a region `map` returned.
    public func unmap(_ address: UnsafeMutableRawPointer, pages: Int) throws(Errno) {
        Errno.clear()
        guard xengnttab_unmap(handle, address, UInt32(pages)) == 0 else { throw Errno.current }
    }
}

/// A libxengntshr handle (`/dev/xen/gntalloc`): allocates pages and grants them to another domain.
public final class XenGrantSharing {
    private let handle: OpaquePointer

    /// `xengntshr_open`; throws the errno it left (`ENOENT` when there is no gntalloc device).
    public init() throws(Errno) {
        Errno.clear()
        guard let handle = xengntshr_open(xlswift_quiet_logger(), 0) else { throw Errno.current }
        self.handle = handle
    }

    deinit { xengntshr_close(handle) }

    /// `xengntshr_share_pages`: `count` zeroed pages granted to `domain`, mapped contiguously here;
    /// returns the mapping and the grant references, one per page.
    public func share(pages count: Int, with domain: UInt32, writable: Bool) throws(Errno) -> (address: UnsafeMutableRawPointer, refs: [UInt32]) {
        guard count > 0, count <= Int(Int32.max) else { throw Errno.EINVAL }
        var refs = [UInt32](repeating: 0, count: count)
        Errno.clear()
        let address = refs.withUnsafeMutableBufferPointer { buffer in
            xengntshr_share_pages(handle, domain, Int32(count), buffer.baseAddress, writable ? 1 : 0)
        }
        guard let address else { throw Errno.current }
        return (address, refs)
    }

    /// `xengntshr_unshare` of a region `share` returned.
    public func unshare(_ address: UnsafeMutableRawPointer, pages: Int) throws(Errno) {
        Errno.clear()
        guard xengntshr_unshare(handle, address, UInt32(pages)) == 0 else { throw Errno.current }
    }
}
