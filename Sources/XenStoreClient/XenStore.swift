// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The xenstore operations the toolstack uses; one requirement per xenstore wire request.
///
/// Paths are absolute (`/local/domain/0/name`). Values are raw bytes, as on the wire.
/// Every failure is a ``XenStoreError`` carrying the errno the daemon answered.
public protocol XenStore: AnyObject {
    /// `XS_READ`. Throws `ENOENT` when the node does not exist.
    func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8]
    /// `XS_WRITE`. Creates missing parent nodes, as xenstored does.
    func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError)
    /// `XS_MKDIR`. Succeeds when the node already exists.
    func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError)
    /// `XS_DIRECTORY`: the names of the children, in the daemon's order.
    func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String]
    /// `XS_RM`: the node and everything below it. Removing a missing node succeeds only when its parent exists.
    func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError)
    /// `XS_GET_PERMS`.
    func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission]
    /// `XS_SET_PERMS`. The first entry names the owner and the access of every other domain.
    func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError)
    /// `XS_TRANSACTION_START`.
    func startTransaction() throws(XenStoreError) -> XenStoreTransaction
    /// `XS_TRANSACTION_END`. Returns `false` when a commit conflicted (`EAGAIN`) and must be retried.
    func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool
    /// `XS_WATCH`. The daemon fires the watch once at once, then on every change at or below `path`.
    func watch(_ path: String, token: String) throws(XenStoreError)
    /// `XS_UNWATCH`.
    func unwatch(_ path: String, token: String) throws(XenStoreError)
    /// Waits up to `timeout` seconds for the next watch event; `nil` when none came in time.
    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent?
    /// `XS_INTRODUCE` (dom0 only): the daemon maps the domain's ring page (`mfn`), binds `eventChannel`
    /// and fires `@introduceDomain`. Introducing an introduced domain again with the same page succeeds.
    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError)
    /// `XS_IS_DOMAIN_INTRODUCED`.
    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool
}

/// A xenstore transaction handle (`xs_transaction_t`).
public struct XenStoreTransaction: Hashable, Sendable {
    public let id: UInt32
    public init(id: UInt32) { self.id = id }
}

/// A fired watch: the path that changed and the token given to ``XenStore/watch(_:token:)``.
public struct XenStoreWatchEvent: Hashable, Sendable {
    public let path: String
    public let token: String
    public init(path: String, token: String) {
        self.path = path
        self.token = token
    }
}

/// One entry of a node's access list, as `xenstore-chmod` writes them (`n0`, `r5`, `b7`).
public struct XenStorePermission: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What a domain may do with a node.
    public enum Access: String, Sendable, Codable, CaseIterable {
        case none = "n", read = "r", write = "w", both = "b"
    }
    public var access: Access
    public var domain: DomainID
    public init(_ access: Access, _ domain: DomainID) {
        self.access = access
        self.domain = domain
    }
    /// Parses the wire form `r5`.
    public init?(wire: String) {
        guard let first = wire.first, let access = Access(rawValue: String(first)),
            let id = UInt16(wire.dropFirst())
        else { return nil }
        self.init(access, DomainID(id))
    }
    public var description: String { access.rawValue + String(domain.rawValue) }
}

/// A failed xenstore request: which operation, on which path, and the errno the daemon answered.
public struct XenStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String?
    public var errno: Errno
    public init(_ operation: String, path: String?, errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }
    public var description: String {
        if let path { return "xenstore \(operation) \(path): \(errno)" }
        return "xenstore \(operation): \(errno)"
    }
}
