// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// A connection to an in-memory xenstore that behaves like C xenstored 4.17, for the simulator and tests.
///
/// Handles made with ``connection(as:)`` share one ``XenStoreDatabase``: they see each other's changes and
/// watches fire across them. Each handle has its own transactions and watch queue, like a daemon connection.
public final class InMemoryXenStore: XenStore {
    /// The store this handle talks to.
    public let database: XenStoreDatabase
    /// The domain this handle acts as; dom0 is privileged, any other is checked against node permissions.
    public let caller: DomainID
    private let connectionID: Int
    /// Fault injection for tests: asked before every request with its operation and path; an errno fails it.
    public var injectFailure: ((_ operation: String, _ path: String?) -> Errno?)?

    /// A dom0 (or `caller`) connection to a new database holding `tree`.
    public convenience init(tree: XenStoreTree = XenStoreTree(), caller: DomainID = .dom0) {
        self.init(database: XenStoreDatabase(tree: tree), caller: caller)
    }

    /// A new connection to `database` acting as `caller`.
    public init(database: XenStoreDatabase, caller: DomainID = .dom0) {
        self.database = database
        self.caller = caller
        connectionID = database.connect()
    }

    deinit { database.disconnect(connectionID) }

    /// The committed nodes of the shared database, to persist or replace.
    public var tree: XenStoreTree {
        get { database.tree }
        set { database.tree = newValue }
    }

    /// Another connection to the same database, acting as `domain`.
    public func connection(as domain: DomainID) -> InMemoryXenStore {
        InMemoryXenStore(database: database, caller: domain)
    }

    private func perform<T>(_ operation: String, _ path: String?,
                            _ body: (inout XenStoreState, XenStoreCaller) throws(Errno) -> T) throws(XenStoreError) -> T {
        if let errno = injectFailure?(operation, path) { throw XenStoreError(operation, path: path, errno: errno) }
        let who = XenStoreCaller(connection: connectionID, domain: caller)
        do {
            return try database.perform { (state: inout XenStoreState) throws(Errno) -> T in try body(&state, who) }
        } catch {
            throw XenStoreError(operation, path: path, errno: error)
        }
    }

    public func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try perform("read", path) { (s, c) throws(Errno) in try s.read(path, c, transaction?.id) }
    }

    public func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try perform("write", path) { (s, c) throws(Errno) in try s.write(path, value, c, transaction?.id) }
    }

    public func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try perform("mkdir", path) { (s, c) throws(Errno) in try s.mkdir(path, c, transaction?.id) }
    }

    public func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try perform("directory", path) { (s, c) throws(Errno) in try s.directory(path, c, transaction?.id) }
    }

    public func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try perform("rm", path) { (s, c) throws(Errno) in try s.remove(path, c, transaction?.id) }
    }

    public func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try perform("get-perms", path) { (s, c) throws(Errno) in try s.permissions(path, c, transaction?.id) }
    }

    public func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try perform("set-perms", path) { (s, c) throws(Errno) in try s.setPermissions(path, permissions, c, transaction?.id) }
    }

    public func startTransaction() throws(XenStoreError) -> XenStoreTransaction {
        XenStoreTransaction(id: try perform("transaction-start", nil) { (s, c) throws(Errno) in s.startTransaction(c) })
    }

    public func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        try perform("transaction-end", nil) { (s, c) throws(Errno) in try s.endTransaction(transaction.id, commit: commit, c) }
    }

    public func watch(_ path: String, token: String) throws(XenStoreError) {
        try perform("watch", path) { (s, c) throws(Errno) in try s.watch(path, token: token, c) }
    }

    public func unwatch(_ path: String, token: String) throws(XenStoreError) {
        try perform("unwatch", path) { (s, c) throws(Errno) in try s.unwatch(path, token: token, c) }
    }

    public func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? {
        database.nextEvent(for: connectionID, timeout: timeout)
    }

    public func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try perform("introduce", "domain \(domain)") { (s, c) throws(Errno) in
            try s.introduce(domain, mfn: mfn, eventChannel: eventChannel, c)
        }
    }

    /// What xenstored does when Xen signals that domains died (`VIRQ_DOM_EXC`): introduced domains not in
    /// `alive` are released and `@releaseDomain` fires.
    public func domainsDied(keeping alive: Set<DomainID>) {
        _ = try? database.perform { (state: inout XenStoreState) throws(Errno) in state.releaseDomains(notIn: alive) }
    }

    /// What xenstored does when Xen signals that a domain shut down (`VIRQ_DOM_EXC`): `@releaseDomain` fires.
    public func domainShutDown() {
        _ = try? database.perform { (state: inout XenStoreState) throws(Errno) in state.domainException() }
    }

    public func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool {
        try perform("is-domain-introduced", "domain \(domain)") { (s, c) throws(Errno) in s.isIntroduced(domain) }
    }
}
