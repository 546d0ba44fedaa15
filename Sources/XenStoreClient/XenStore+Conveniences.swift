// SPDX-License-Identifier: Apache-2.0
import XenTypes

extension XenStore {
    /// Runs `body` in a transaction and commits it, running it again from the start when the commit conflicts.
    ///
    /// A thrown error aborts the transaction. After `attempts` conflicts the last conflict is thrown as `EAGAIN`.
    public func transaction<T>(attempts: Int = 64, _ body: (XenStoreTransaction) throws -> T) throws -> T {
        for _ in 0..<max(1, attempts) {
            let tx = try startTransaction()
            let result: T
            do {
                result = try body(tx)
            } catch {
                _ = try? endTransaction(tx, commit: false)
                throw error
            }
            if try endTransaction(tx, commit: true) { return result }
        }
        throw XenStoreError("transaction", path: nil, errno: .EAGAIN)
    }

    /// Reads a node as UTF-8 text; `nil` when it does not exist.
    public func readString(_ path: String, in transaction: XenStoreTransaction? = nil) throws(XenStoreError) -> String? {
        do {
            return String(decoding: try read(path, in: transaction), as: UTF8.self)
        } catch where error.errno == .ENOENT {
            return nil
        }
    }

    /// Writes UTF-8 text.
    public func write(_ path: String, string: String, in transaction: XenStoreTransaction? = nil) throws(XenStoreError) {
        try write(path, Array(string.utf8), in: transaction)
    }

    /// The children of `path`; empty when it does not exist.
    public func children(_ path: String, in transaction: XenStoreTransaction? = nil) throws(XenStoreError) -> [String] {
        do {
            return try directory(path, in: transaction)
        } catch where error.errno == .ENOENT {
            return []
        }
    }

    /// Whether a node exists.
    public func exists(_ path: String, in transaction: XenStoreTransaction? = nil) throws(XenStoreError) -> Bool {
        try readString(path, in: transaction) != nil
    }

    /// Removes `path`, then each parent it leaves empty up to and including `top`: xenstored creates missing
    /// parents on a write, so this undoes a record's write without leaving its directories behind.
    /// Two requests per level: a missing node or parent ends the pruning there.
    public func remove(_ path: String, pruningUpTo top: String, in transaction: XenStoreTransaction? = nil) throws(XenStoreError) {
        do { try remove(path, in: transaction) } catch where error.errno == .ENOENT {}
        var parent = path
        while parent != top, parent.hasPrefix(top + "/"), let slash = parent.lastIndex(of: "/") {
            parent = String(parent[..<slash])
            let left: [String]
            do { left = try directory(parent, in: transaction) } catch where error.errno == .ENOENT { return }
            guard left.isEmpty else { return }
            try remove(parent, in: transaction)
        }
    }
}
