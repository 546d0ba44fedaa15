// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// A xenstore that reports each request changing the store to ``SimulatedKillPoints`` before sending it.
///
/// Requests inside a transaction are not steps: until the commit (which is one) nothing of them is
/// visible, and a killed process's transaction is dropped by the daemon.
final class SteppedXenStore: XenStore {
    let base: any XenStore
    private let points: SimulatedKillPoints

    init(_ base: any XenStore, points: SimulatedKillPoints) {
        self.base = base
        self.points = points
    }

    private func step(_ request: String, _ path: String, _ transaction: XenStoreTransaction?) {
        if transaction == nil { points.reached("xenstore \(request) \(path)") }
    }

    func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try base.read(path, in: transaction)
    }

    func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        step("write", path, transaction)
        try base.write(path, value, in: transaction)
    }

    func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        step("mkdir", path, transaction)
        try base.mkdir(path, in: transaction)
    }

    func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try base.directory(path, in: transaction)
    }

    func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        step("rm", path, transaction)
        try base.remove(path, in: transaction)
    }

    func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try base.permissions(path, in: transaction)
    }

    func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        step("set-perms", path, transaction)
        try base.setPermissions(path, permissions, in: transaction)
    }

    func startTransaction() throws(XenStoreError) -> XenStoreTransaction { try base.startTransaction() }

    func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        if commit { points.reached("xenstore commit") }
        return try base.endTransaction(transaction, commit: commit)
    }

    func watch(_ path: String, token: String) throws(XenStoreError) { try base.watch(path, token: token) }

    func unwatch(_ path: String, token: String) throws(XenStoreError) { try base.unwatch(path, token: token) }

    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? { try base.readWatch(timeout: timeout) }

    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        points.reached("xenstore introduce \(domain)")
        try base.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel)
    }

    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool { try base.isIntroduced(domain) }
}
