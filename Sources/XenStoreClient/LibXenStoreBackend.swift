// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The real xenstore: a libxenstore socket connection to xenstored behind the ``XenStore`` protocol.
///
/// Requests go over one connection, and each watch gets a connection of its own that carries nothing
/// else. The static `libxenstore.a` that distributions ship is built without its reader thread: on a
/// connection with a watch, an event that arrives ahead of a reply makes the request fail (`EINVAL`)
/// and closes the socket. A connection holding a single watch sees its reply before any event, and
/// ``unwatch(_:token:)`` closes it rather than sending `XS_UNWATCH` behind queued events.
public final class LibXenStoreBackend: XenStore {
    private let xs: LibXenStore
    private let connect: () throws(LibXenStoreError) -> LibXenStore
    private var watchers: [(path: String, token: String, connection: LibXenStore)] = []

    /// Connects to xenstored's unix socket: `socketPath`, or the one libxenstore finds from the environment.
    public convenience init(socketPath: String? = nil) throws(XenStoreError) {
        try self.init(at: socketPath ?? LibXenStore.socketPath) { () throws(LibXenStoreError) in
            try LibXenStore(socketPath: socketPath)
        }
    }

    /// A guest's connection: libxenstore on the xenbus device (`/dev/xen/xenbus`, or the path in
    /// `XENSTORED_PATH`), as `get_overlay` opens it inside a domU.
    public static func guest() throws(XenStoreError) -> LibXenStoreBackend {
        try LibXenStoreBackend(at: "/dev/xen/xenbus") { () throws(LibXenStoreError) in try LibXenStore.guest() }
    }

    private init(at place: String, _ connect: @escaping () throws(LibXenStoreError) -> LibXenStore) throws(XenStoreError) {
        do { xs = try connect() } catch { throw XenStoreError("open", path: place, errno: error.errno) }
        self.connect = connect
    }

    private func call<T>(_ operation: String, _ path: String?, _ body: () throws(LibXenStoreError) -> T) throws(XenStoreError) -> T {
        do {
            return try body()
        } catch {
            throw XenStoreError(operation, path: path, errno: error.errno)
        }
    }

    private static func id(_ transaction: XenStoreTransaction?) -> UInt32 {
        transaction?.id ?? LibXenStore.noTransaction
    }

    private static func bits(_ access: XenStorePermission.Access) -> UInt32 {
        switch access {
        case .none: 0
        case .read: 1
        case .write: 2
        case .both: 3
        }
    }

    private static func access(_ bits: UInt32) -> XenStorePermission.Access {
        switch bits & 3 {
        case 1: .read
        case 2: .write
        case 3: .both
        default: .none
        }
    }

    public func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try call("read", path) { () throws(LibXenStoreError) in try xs.read(path, transaction: Self.id(transaction)) }
    }

    public func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try call("write", path) { () throws(LibXenStoreError) in try xs.write(path, value, transaction: Self.id(transaction)) }
    }

    public func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try call("mkdir", path) { () throws(LibXenStoreError) in try xs.mkdir(path, transaction: Self.id(transaction)) }
    }

    public func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try call("directory", path) { () throws(LibXenStoreError) in try xs.directory(path, transaction: Self.id(transaction)) }
    }

    public func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try call("rm", path) { () throws(LibXenStoreError) in try xs.remove(path, transaction: Self.id(transaction)) }
    }

    public func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        let list = try call("get-perms", path) { () throws(LibXenStoreError) in
            try xs.permissions(path, transaction: Self.id(transaction))
        }
        return list.map { XenStorePermission(Self.access($0.perms), DomainID(UInt16(truncatingIfNeeded: $0.id))) }
    }

    public func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        let list = permissions.map { (id: UInt32($0.domain.rawValue), perms: Self.bits($0.access)) }
        try call("set-perms", path) { () throws(LibXenStoreError) in
            try xs.setPermissions(path, list, transaction: Self.id(transaction))
        }
    }

    public func startTransaction() throws(XenStoreError) -> XenStoreTransaction {
        XenStoreTransaction(id: try call("transaction-start", nil) { () throws(LibXenStoreError) in try xs.transactionStart() })
    }

    public func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        do {
            try xs.transactionEnd(transaction.id, abort: !commit)
            return true
        } catch where error.errno == .EAGAIN {
            return false
        } catch {
            throw XenStoreError("transaction-end", path: nil, errno: error.errno)
        }
    }

    /// Opens a connection for this watch alone and registers it there; the same path and token twice is
    /// `EEXIST`, as xenstored answers on one connection.
    public func watch(_ path: String, token: String) throws(XenStoreError) {
        if watchers.contains(where: { $0.path == path && $0.token == token }) {
            throw XenStoreError("watch", path: path, errno: .EEXIST)
        }
        let connection: LibXenStore
        do { connection = try connect() } catch { throw XenStoreError("watch", path: path, errno: error.errno) }
        try call("watch", path) { () throws(LibXenStoreError) in try connection.watch(path, token: token) }
        watchers.append((path: path, token: token, connection: connection))
    }

    /// Closes the watch's connection, which ends the watch in xenstored; `ENOENT` for a watch never set.
    public func unwatch(_ path: String, token: String) throws(XenStoreError) {
        guard let index = watchers.firstIndex(where: { $0.path == path && $0.token == token }) else {
            throw XenStoreError("unwatch", path: path, errno: .ENOENT)
        }
        watchers.remove(at: index)
    }

    /// Waits on every watch's connection at once and reads the first event that is there.
    public func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? {
        let connections = watchers.map(\.connection)
        let event = try call("read-watch", nil) { () throws(LibXenStoreError) in
            try LibXenStore.readWatch(on: connections, timeout: timeout)
        }
        return event.map { XenStoreWatchEvent(path: $0.path, token: $0.token) }
    }

    public func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try call("introduce", "domain \(domain)") { () throws(LibXenStoreError) in
            try xs.introduceDomain(UInt32(domain.rawValue), mfn: UInt(mfn), eventChannel: eventChannel)
        }
    }

    /// libxenstore reports a failed request as "not introduced"; xenstored answers this for any domid.
    public func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool {
        xs.isDomainIntroduced(UInt32(domain.rawValue))
    }
}
