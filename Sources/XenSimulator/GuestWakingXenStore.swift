// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// dom0's xenstore on a simulated host, which wakes the simulated guests when it writes a guest's
/// `control/shutdown` or `control/sysrq` node: the guest's watch on it fires in xenstored, and its PV drivers answer at once
/// (``SimulatedHost/runGuests()``), so a toolstack waiting for the acknowledgement sees it.
final class GuestWakingXenStore: XenStore {
    let base: any XenStore
    /// Runs the simulated guests; set by the host once it exists.
    var wake: () -> Void = {}
    /// Runs the simulated device back ends and front ends; set by the host once it exists.
    var wakeDevices: () -> Void = {}

    init(_ base: any XenStore) { self.base = base }

    func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try base.read(path, in: transaction)
    }

    func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try base.write(path, value, in: transaction)
        if transaction == nil, path.hasSuffix("/control/shutdown") || path.hasSuffix("/control/sysrq") { wake() }
        if transaction == nil, path.contains("/backend/") || path.contains("/device/") { wakeDevices() }
    }

    func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) { try base.mkdir(path, in: transaction) }

    func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try base.directory(path, in: transaction)
    }

    func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) { try base.remove(path, in: transaction) }

    func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try base.permissions(path, in: transaction)
    }

    func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try base.setPermissions(path, permissions, in: transaction)
    }

    func startTransaction() throws(XenStoreError) -> XenStoreTransaction { try base.startTransaction() }

    func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        let committed = try base.endTransaction(transaction, commit: commit)
        if commit, committed { wakeDevices() }
        return committed
    }

    func watch(_ path: String, token: String) throws(XenStoreError) { try base.watch(path, token: token) }

    func unwatch(_ path: String, token: String) throws(XenStoreError) { try base.unwatch(path, token: token) }

    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? { try base.readWatch(timeout: timeout) }

    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try base.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel)
    }

    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool { try base.isIntroduced(domain) }
}
