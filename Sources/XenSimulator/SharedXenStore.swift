// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Glibc
import XenStoreClient
import XenTypes

/// The xenstore of a simulated host as every process sees it: `DIR/xenstore.json`, shared by the
/// `xl` commands and the guests (`get_overlay --simulate DIR --domain N`) that run at the same time.
///
/// Each request takes `DIR/xenstore.lock`, first takes over what other processes wrote (firing
/// this connection's watches for what changed, see ``XenStoreDatabase/adopt(_:)``), runs on an
/// ``InMemoryXenStore`` connection acting as the caller's domain, and writes the file back when
/// the tree changed. Transactions stay in this process and fail to commit, as in xenstored, when
/// a node they touched changed meanwhile, whichever process changed it.
///
/// Watches are waited for with a file-change wait (inotify on the directory, see
/// ``FileChangeWait``) bounded by the caller's timeout; where inotify is missing the file is
/// looked at every 50 ms instead.
public final class SharedXenStore: XenStore {
    private let file: SharedXenStoreFile
    private let connection: InMemoryXenStore

    /// The domain this connection acts as.
    public var caller: DomainID { connection.caller }

    /// Connects to the xenstore of the simulated host in `directory` as `caller`; with `create`, a
    /// missing file starts as a fresh xenstored's tree, else it is an error.
    public convenience init(directory: String, caller: DomainID, create: Bool = false) throws(SimulatorError) {
        self.init(file: try SharedXenStoreFile(directory: directory, create: create), caller: caller)
    }

    private init(file: SharedXenStoreFile, caller: DomainID) {
        self.file = file
        connection = InMemoryXenStore(database: file.database, caller: caller)
    }

    /// The committed tree, as last synchronised.
    public var tree: XenStoreTree { connection.tree }

    /// Fault injection for tests, as ``InMemoryXenStore/injectFailure``.
    public var injectFailure: ((_ operation: String, _ path: String?) -> Errno?)? {
        get { connection.injectFailure }
        set { connection.injectFailure = newValue }
    }

    /// Another connection to the same host's xenstore, acting as `domain`. It shares this process's copy of
    /// the tree, so a change one makes is not read back from the file by the other.
    public func connection(as domain: DomainID) -> SharedXenStore {
        SharedXenStore(file: file, caller: domain)
    }

    /// Runs one request between taking over the file's changes and writing back this one's.
    private func request<T>(_ operation: String, _ body: () throws(XenStoreError) -> T) throws(XenStoreError) -> T {
        try file.request(operation, body)
    }

    // MARK: XenStore

    public func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try request("read") { () throws(XenStoreError) in try connection.read(path, in: transaction) }
    }

    public func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try request("write") { () throws(XenStoreError) in try connection.write(path, value, in: transaction) }
    }

    public func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try request("mkdir") { () throws(XenStoreError) in try connection.mkdir(path, in: transaction) }
    }

    public func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try request("directory") { () throws(XenStoreError) in try connection.directory(path, in: transaction) }
    }

    public func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try request("rm") { () throws(XenStoreError) in try connection.remove(path, in: transaction) }
    }

    public func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try request("get-perms") { () throws(XenStoreError) in try connection.permissions(path, in: transaction) }
    }

    public func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try request("set-perms") { () throws(XenStoreError) in try connection.setPermissions(path, permissions, in: transaction) }
    }

    public func startTransaction() throws(XenStoreError) -> XenStoreTransaction {
        try request("transaction-start") { () throws(XenStoreError) in try connection.startTransaction() }
    }

    public func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        try request("transaction-end") { () throws(XenStoreError) in try connection.endTransaction(transaction, commit: commit) }
    }

    public func watch(_ path: String, token: String) throws(XenStoreError) {
        try request("watch") { () throws(XenStoreError) in try connection.watch(path, token: token) }
    }

    public func unwatch(_ path: String, token: String) throws(XenStoreError) {
        try request("unwatch") { () throws(XenStoreError) in try connection.unwatch(path, token: token) }
    }

    /// The next event of this connection, taking over the file whenever it changes, for up to `timeout` seconds.
    public func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, min(timeout, 86_400)) * 1000))
        // Watch the file before looking at it, so a change made in between still wakes the wait.
        let changes = file.changes
        while true {
            if let event = try connection.readWatch(timeout: 0) { return event }
            if file.changedOnDisk {
                try request("read-watch") { () throws(XenStoreError) in }
                continue
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            if let changes {
                changes.wait(timeout: seconds)
            } else {
                usleep(UInt32(min(seconds, 0.05) * 1_000_000))
            }
        }
    }

    public func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try request("introduce") { () throws(XenStoreError) in try connection.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel) }
    }

    /// What xenstored does when Xen signals that domains died: introduced domains not in `alive`
    /// are released and `@releaseDomain` fires (see ``InMemoryXenStore/domainsDied(keeping:)``).
    public func domainsDied(keeping alive: Set<DomainID>) throws(XenStoreError) {
        try request("release-domains") { () throws(XenStoreError) in connection.domainsDied(keeping: alive) }
    }

    /// What xenstored does when Xen signals that a domain shut down: `@releaseDomain` fires, here and in
    /// every process sharing the tree (see ``InMemoryXenStore/domainShutDown()``).
    public func domainShutDown() throws(XenStoreError) {
        try request("domain-shutdown") { () throws(XenStoreError) in connection.domainShutDown() }
    }

    public func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool {
        try request("is-domain-introduced") { () throws(XenStoreError) in try connection.isIntroduced(domain) }
    }
}

/// What identifies one version of a file: inode, size and change times.
struct FileStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: timespec
    var changed: timespec

    /// The file's stamp; `nil` when it does not exist.
    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (a: FileStamp, b: FileStamp) -> Bool {
        a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }
}
