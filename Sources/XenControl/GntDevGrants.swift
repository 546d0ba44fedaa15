// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The real dom0 grant mapper: libxengnttab on `/dev/xen/gntdev`.
public final class GntDevMapper: GrantMapper {
    private let device: XenGrantTable

    /// Opens `/dev/xen/gntdev`; throws `open /dev/xen/gntdev` with its errno when there is none.
    public init() throws(GrantError) {
        do { device = try XenGrantTable() } catch { throw GrantError("open /dev/xen/gntdev", errno: error) }
    }

    public func map(_ refs: [UInt32], from domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages {
        do {
            let address = try device.map(refs, from: UInt32(domain.rawValue), writable: writable)
            let device = self.device
            return RealGrantedPages(references: refs, address: address) { address, pages in
                try device.unmap(address, pages: pages)
            }
        } catch {
            throw GrantError("xengnttab_map_domain_grant_refs", errno: error)
        }
    }
}

/// The real domU grant sharer: libxengntshr on `/dev/xen/gntalloc`.
public final class GntAllocSharer: GrantSharer {
    private let device: XenGrantSharing

    /// Opens `/dev/xen/gntalloc`; throws `open /dev/xen/gntalloc` with its errno when there is none.
    public init() throws(GrantError) {
        do { device = try XenGrantSharing() } catch { throw GrantError("open /dev/xen/gntalloc", errno: error) }
    }

    public func share(pages count: Int, with domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages {
        do {
            let (address, refs) = try device.share(pages: count, with: UInt32(domain.rawValue), writable: writable)
            let device = self.device
            return RealGrantedPages(references: refs, address: address) { address, pages in
                try device.unshare(address, pages: pages)
            }
        } catch {
            throw GrantError("xengntshr_share_pages", errno: error)
        }
    }
}

/// A region libxengnttab or libxengntshr mapped, released through the handle that made it.
final class RealGrantedPages: GrantedPages {
    let references: [UInt32]
    let memory: UnsafeMutableRawBufferPointer
    private var unmap: ((UnsafeMutableRawPointer, Int) throws -> Void)?

    init(references: [UInt32], address: UnsafeMutableRawPointer, unmap: @escaping (UnsafeMutableRawPointer, Int) throws -> Void) {
        self.references = references
        self.memory = UnsafeMutableRawBufferPointer(start: address, count: references.count * GrantPage.size)
        self.unmap = unmap
    }

    func release() throws(GrantError) {
        guard let unmap, let base = memory.baseAddress else { return }
        self.unmap = nil
        do { try unmap(base, references.count) } catch {
            throw GrantError("unmap grant pages", errno: (error as? Errno) ?? .EIO)
        }
    }

    deinit { try? release() }
}
