// SPDX-License-Identifier: Apache-2.0
import CXen
import Glibc
import XenTypes

/// A failed libxenstore call: the C function and the errno it left.
public struct LibXenStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public var function: String
    public var errno: Errno
    public init(_ function: String, errno: Errno) {
        self.function = function
        self.errno = errno
    }
    public var description: String { "\(function): \(errno)" }
}

/// A libxenstore connection (`struct xs_handle`), one method per C call.
///
/// Transaction ids are `xs_transaction_t`; `0` is `XBT_NULL`, no transaction.
/// Permissions are `(domain id, XS_PERM_* bits)` pairs.
public final class LibXenStore {
    private let handle: OpaquePointer

    /// `xs_open(XS_OPEN_SOCKETONLY)`. A `socketPath` is put in `XENSTORED_PATH` for the call, since that
    /// is the only way libxenstore takes a path, and the previous value is restored right after, so
    /// that later child processes do not inherit it; without one it uses ``socketPath``.
    public init(socketPath: String? = nil) throws(LibXenStoreError) {
        let previous = getenv("XENSTORED_PATH").map { String(cString: $0) }
        if let socketPath { setenv("XENSTORED_PATH", socketPath, 1) }
        let opened = xs_open(UInt(XS_OPEN_SOCKETONLY))
        let failure = opened == nil ? Self.failure("xs_open") : nil
        if socketPath != nil {
            if let previous { setenv("XENSTORED_PATH", previous, 1) } else { unsetenv("XENSTORED_PATH") }
        }
        guard let opened else { throw failure ?? LibXenStoreError("xs_open", errno: .EIO) }
        self.handle = opened
    }

    /// `xs_open(0)` as a guest does: the xenbus device first (`XENSTORED_PATH` when set, else
    /// `/dev/xen/xenbus`), then the daemon's socket.
    public static func guest() throws(LibXenStoreError) -> LibXenStore {
        guard let opened = xs_open(0) else { throw failure("xs_open") }
        return LibXenStore(handle: opened)
    }

    private init(handle: OpaquePointer) { self.handle = handle }

    deinit { xs_close(handle) }

    /// The socket libxenstore connects to: `XENSTORED_PATH`, else `$XENSTORED_RUNDIR/socket`, else the built-in one.
    public static var socketPath: String {
        if let path = getenv("XENSTORED_PATH") { return String(cString: path) }
        if let dir = getenv("XENSTORED_RUNDIR") { return String(cString: dir) + "/socket" }
        return "/var/run/xenstored/socket"
    }

    /// `xs_transaction_t` for "no transaction".
    public static let noTransaction = UInt32(XBT_NULL)

    private static func failure(_ function: String) -> LibXenStoreError {
        LibXenStoreError(function, errno: Errno(rawValue: Glibc.errno))
    }

    /// `xs_read`.
    public func read(_ path: String, transaction: UInt32) throws(LibXenStoreError) -> [UInt8] {
        var length: UInt32 = 0
        guard let value = xs_read(handle, transaction, path, &length) else { throw Self.failure("xs_read") }
        defer { free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: Int(length)))
    }

    /// `xs_write`.
    public func write(_ path: String, _ value: [UInt8], transaction: UInt32) throws(LibXenStoreError) {
        let ok = value.withUnsafeBytes { xs_write(handle, transaction, path, $0.baseAddress, UInt32($0.count)) }
        guard ok else { throw Self.failure("xs_write") }
    }

    /// `xs_mkdir`.
    public func mkdir(_ path: String, transaction: UInt32) throws(LibXenStoreError) {
        guard xs_mkdir(handle, transaction, path) else { throw Self.failure("xs_mkdir") }
    }

    /// `xs_directory`.
    public func directory(_ path: String, transaction: UInt32) throws(LibXenStoreError) -> [String] {
        var count: UInt32 = 0
        guard let names = xs_directory(handle, transaction, path, &count) else { throw Self.failure("xs_directory") }
        defer { free(names) }
        return (0..<Int(count)).compactMap { names[$0].map { String(cString: $0) } }
    }

    /// `xs_rm`.
    public func remove(_ path: String, transaction: UInt32) throws(LibXenStoreError) {
        guard xs_rm(handle, transaction, path) else { throw Self.failure("xs_rm") }
    }

    /// `xs_get_permissions`: `(domain id, XS_PERM_* bits)` pairs, owner first.
    public func permissions(_ path: String, transaction: UInt32) throws(LibXenStoreError) -> [(id: UInt32, perms: UInt32)] {
        var count: UInt32 = 0
        guard let list = xs_get_permissions(handle, transaction, path, &count) else {
            throw Self.failure("xs_get_permissions")
        }
        defer { free(list) }
        return (0..<Int(count)).map { (id: list[$0].id, perms: list[$0].perms) }
    }

    /// `xs_set_permissions`.
    public func setPermissions(_ path: String, _ permissions: [(id: UInt32, perms: UInt32)], transaction: UInt32) throws(LibXenStoreError) {
        var list = permissions.map { xs_permissions(id: $0.id, perms: $0.perms) }
        let ok = list.withUnsafeMutableBufferPointer {
            xs_set_permissions(handle, transaction, path, $0.baseAddress, UInt32($0.count))
        }
        guard ok else { throw Self.failure("xs_set_permissions") }
    }

    /// `xs_transaction_start`.
    public func transactionStart() throws(LibXenStoreError) -> UInt32 {
        let id = xs_transaction_start(handle)
        guard id != Self.noTransaction else { throw Self.failure("xs_transaction_start") }
        return id
    }

    /// `xs_transaction_end`; a conflicting commit throws `EAGAIN`.
    public func transactionEnd(_ transaction: UInt32, abort: Bool) throws(LibXenStoreError) {
        guard xs_transaction_end(handle, transaction, abort) else { throw Self.failure("xs_transaction_end") }
    }

    /// `xs_watch`.
    public func watch(_ path: String, token: String) throws(LibXenStoreError) {
        guard xs_watch(handle, path, token) else { throw Self.failure("xs_watch") }
    }

    /// `xs_fileno`: readable while watch events are queued, when libxenstore has its reader thread.
    func fileDescriptor() throws(LibXenStoreError) -> Int32 {
        let fd = xs_fileno(handle)
        guard fd >= 0 else { throw Self.failure("xs_fileno") }
        return fd
    }

    /// The first watch event queued on any of `connections`, waiting up to `timeout` seconds: `(path, token)`,
    /// or `nil` on timeout. With no connections it just waits.
    ///
    /// Each connection is asked with `xs_check_watch`, which never blocks, then `poll` waits on their `xs_fileno`.
    /// The shared libxenstore's reader thread makes that descriptor readable as an event comes in. The static
    /// `libxenstore.a` has no reader thread: nothing makes it readable, and only `xs_check_watch` reads the
    /// socket. So the waits between checks are short at first and grow from 10 ms to at most 500 ms.
    public static func readWatch(on connections: [LibXenStore], timeout: Double) throws(LibXenStoreError) -> (path: String, token: String)? {
        let deadline = ContinuousClock.now + .milliseconds(Int64((max(0, min(timeout, 86_400)) * 1000).rounded(.up)))
        var fds: [pollfd] = []
        for connection in connections {
            fds.append(pollfd(fd: try connection.fileDescriptor(), events: Int16(POLLIN), revents: 0))
        }
        var slice: Int64 = 10
        while true {
            for connection in connections {
                if let event = try connection.checkWatch() { return event }
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return nil }
            let leftMilliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            let wait = Int32(min(slice, leftMilliseconds))
            let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), wait) }
            if ready < 0, Glibc.errno != EINTR { throw failure("poll") }
            slice = min(slice * 2, 500)
        }
    }

    /// `xs_check_watch`: the next event queued on this connection, or `nil` when there is none (`EAGAIN`).
    func checkWatch() throws(LibXenStoreError) -> (path: String, token: String)? {
        guard let event = xs_check_watch(handle) else {
            if Glibc.errno == EAGAIN { return nil }
            throw Self.failure("xs_check_watch")
        }
        defer { free(event) }
        // libxenstore asserts that an event has at least its path and token.
        guard let path = event[Int(XS_WATCH_PATH.rawValue)], let token = event[Int(XS_WATCH_TOKEN.rawValue)] else {
            throw LibXenStoreError("xs_check_watch", errno: .EIO)
        }
        return (path: String(cString: path), token: String(cString: token))
    }

    /// `xs_introduce_domain`.
    public func introduceDomain(_ domid: UInt32, mfn: UInt, eventChannel: UInt32) throws(LibXenStoreError) {
        guard xs_introduce_domain(handle, domid, mfn, eventChannel) else { throw Self.failure("xs_introduce_domain") }
    }

    /// `xs_release_domain`.
    public func releaseDomain(_ domid: UInt32) throws(LibXenStoreError) {
        guard xs_release_domain(handle, domid) else { throw Self.failure("xs_release_domain") }
    }

    /// `xs_is_domain_introduced` (it reports a failed request as `false`).
    public func isDomainIntroduced(_ domid: UInt32) -> Bool {
        xs_is_domain_introduced(handle, domid)
    }

    /// `xs_get_domain_path`.
    public func domainPath(_ domid: UInt32) throws(LibXenStoreError) -> String {
        guard let path = xs_get_domain_path(handle, domid) else { throw Self.failure("xs_get_domain_path") }
        defer { free(path) }
        return String(cString: path)
    }
}
