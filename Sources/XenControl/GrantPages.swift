// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// dom0's side of grant sharing: maps pages another domain granted it (libxengnttab).
public protocol GrantMapper: AnyObject {
    /// Maps `refs`, granted by `domain`, as one contiguous region of `refs.count` pages
    /// (`xengnttab_map_domain_grant_refs`). Fails when any reference is not a grant from
    /// `domain` to this domain (with write access, when `writable`).
    func map(_ refs: [UInt32], from domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages
}

/// A domU's side of grant sharing: allocates pages and grants them to another domain (libxengntshr).
public protocol GrantSharer: AnyObject {
    /// `count` zeroed pages granted to `domain` and mapped here (`xengntshr_share_pages`).
    func share(pages count: Int, with domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages
}

/// Pages mapped from, or shared with, another domain: contiguous memory and one grant reference
/// per page. The memory is valid until ``release()``.
public protocol GrantedPages: AnyObject {
    /// The grant references, page by page.
    var references: [UInt32] { get }
    /// The mapped pages, `references.count * GrantPage.size` bytes.
    var memory: UnsafeMutableRawBufferPointer { get }
    /// Unmaps (dom0) or unshares (domU) the pages; later calls do nothing.
    func release() throws(GrantError)
}

/// Grant page geometry.
public enum GrantPage {
    /// Grants are made of 4 KiB pages on every architecture.
    public static let size = 4096

    /// How many pages hold `bytes` bytes (at least one).
    public static func count(for bytes: Int) -> Int { max(1, (bytes + size - 1) / size) }
}

extension GrantedPages {
    /// Copies `bytes` into the pages from their start; they must fit.
    public func write(_ bytes: [UInt8]) throws(GrantError) {
        guard bytes.count <= memory.count, let base = memory.baseAddress else { throw GrantError("write", errno: .EINVAL) }
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress { base.copyMemory(from: from, byteCount: source.count) }
        }
    }

    /// The first `count` bytes of the pages.
    public func read(_ count: Int) throws(GrantError) -> [UInt8] {
        guard count >= 0, count <= memory.count else { throw GrantError("read", errno: .EINVAL) }
        return Array(UnsafeRawBufferPointer(rebasing: memory[0..<count]))
    }
}

/// A failed grant operation: what was asked and the errno the driver (or the simulator) returned.
public struct GrantError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Errno
    public init(_ operation: String, errno: Errno) {
        self.operation = operation
        self.errno = errno
    }
    public var description: String { "\(operation): \(errno)" }
}
