// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// A xenstore connection that records the wire requests made through it (reading a watch event is not one).
final class CountingXenStore: XenStore {
    private let store: any XenStore
    /// Each request as "TYPE path".
    private(set) var requests: [String] = []

    init(_ store: any XenStore) { self.store = store }

    private func counted<T>(_ type: String, _ path: String = "", _ body: () throws(XenStoreError) -> T) throws(XenStoreError) -> T {
        requests.append(path.isEmpty ? type : "\(type) \(path)")
        return try body()
    }

    func read(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] {
        try counted("READ", path) { () throws(XenStoreError) in try store.read(path, in: transaction) }
    }

    func write(_ path: String, _ value: [UInt8], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try counted("WRITE", path) { () throws(XenStoreError) in try store.write(path, value, in: transaction) }
    }

    func mkdir(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try counted("MKDIR", path) { () throws(XenStoreError) in try store.mkdir(path, in: transaction) }
    }

    func directory(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [String] {
        try counted("DIRECTORY", path) { () throws(XenStoreError) in try store.directory(path, in: transaction) }
    }

    func remove(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try counted("RM", path) { () throws(XenStoreError) in try store.remove(path, in: transaction) }
    }

    func permissions(_ path: String, in transaction: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] {
        try counted("GET_PERMS", path) { () throws(XenStoreError) in try store.permissions(path, in: transaction) }
    }

    func setPermissions(_ path: String, _ permissions: [XenStorePermission], in transaction: XenStoreTransaction?) throws(XenStoreError) {
        try counted("SET_PERMS", path) { () throws(XenStoreError) in try store.setPermissions(path, permissions, in: transaction) }
    }

    func startTransaction() throws(XenStoreError) -> XenStoreTransaction {
        try counted("TRANSACTION_START") { () throws(XenStoreError) in try store.startTransaction() }
    }

    func endTransaction(_ transaction: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        try counted("TRANSACTION_END") { () throws(XenStoreError) in try store.endTransaction(transaction, commit: commit) }
    }

    func watch(_ path: String, token: String) throws(XenStoreError) {
        try counted("WATCH", path) { () throws(XenStoreError) in try store.watch(path, token: token) }
    }

    func unwatch(_ path: String, token: String) throws(XenStoreError) {
        try counted("UNWATCH", path) { () throws(XenStoreError) in try store.unwatch(path, token: token) }
    }

    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? { try store.readWatch(timeout: timeout) }

    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try counted("INTRODUCE") { () throws(XenStoreError) in try store.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel) }
    }

    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool {
        try counted("IS_DOMAIN_INTRODUCED") { () throws(XenStoreError) in try store.isIntroduced(domain) }
    }
}
