// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// dom0's xenstore connection, where every wait for a watch event first lets the guest script take its next step:
/// the hand-off runs in one thread, the same way for the same input, and never sleeps (once the script is over,
/// every wait times out at once).
final class ScriptedGuestXenStore: XenStore {
    private let inner: InMemoryXenStore
    private let guest: GuestScript

    init(_ inner: InMemoryXenStore, guest: GuestScript) {
        self.inner = inner
        self.guest = guest
    }

    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? {
        if let event = try inner.readWatch(timeout: 0) { return event }
        guard guest.runStep() else { return nil }
        return try inner.readWatch(timeout: 0)
    }

    func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try inner.read(path, in: transaction)
    }

    func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try inner.write(path, value, in: transaction)
    }

    func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) { try inner.mkdir(path, in: transaction) }

    func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try inner.directory(path, in: transaction)
    }

    func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) { try inner.remove(path, in: transaction) }

    func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try inner.permissions(path, in: transaction)
    }

    func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try inner.setPermissions(path, permissions, in: transaction)
    }

    func startTransaction() throws(XenStoreError) -> XenStoreTransaction { try inner.startTransaction() }

    func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        try inner.endTransaction(transaction, commit: commit)
    }

    func watch(_ path: String, token: String) throws(XenStoreError) { try inner.watch(path, token: token) }

    func unwatch(_ path: String, token: String) throws(XenStoreError) { try inner.unwatch(path, token: token) }

    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try inner.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel)
    }

    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool { try inner.isIntroduced(domain) }
}
