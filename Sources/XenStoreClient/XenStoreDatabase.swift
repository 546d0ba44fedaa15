// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The shared state behind ``InMemoryXenStore`` handles: the node tree, transactions and watches, under one lock.
public final class XenStoreDatabase: @unchecked Sendable {
    private let lock = ConditionLock()
    private var state: XenStoreState

    /// A database holding `tree`.
    public init(tree: XenStoreTree = XenStoreTree()) {
        state = XenStoreState(tree: tree)
    }

    /// The committed nodes. Setting it replaces the contents; open transactions will then fail to commit.
    public var tree: XenStoreTree {
        get { lock.withLock { state.tree } }
        set { lock.withLock { state.replace(newValue) } }
    }

    /// Grows with every committed change; equal values mean an unchanged tree.
    public var revision: UInt64 { lock.withLock { state.revision } }

    /// Takes over a tree another process changed, firing the watches of this database's
    /// connections for what differs (see ``XenStoreState/adopt(_:)``).
    public func adopt(_ tree: XenStoreTree) {
        lock.withLock {
            state.adopt(tree)
            lock.broadcast()
        }
    }

    func connect() -> Int {
        lock.withLock { state.connect() }
    }

    func disconnect(_ connection: Int) {
        lock.withLock { state.disconnect(connection) }
    }

    /// Runs one request against the state, then wakes any thread waiting for watch events.
    func perform<T>(_ body: (inout XenStoreState) throws(Errno) -> T) throws(Errno) -> T {
        try lock.withLock { () throws(Errno) -> T in
            defer { lock.broadcast() }
            return try body(&state)
        }
    }

    /// The next queued event for `connection`, waiting up to `timeout` seconds for one.
    func nextEvent(for connection: Int, timeout: Double) -> XenStoreWatchEvent? {
        let deadline = ConditionLock.now + max(0, timeout)
        return lock.withLock {
            while true {
                if let event = state.popEvent(for: connection) { return event }
                if ConditionLock.now >= deadline { return nil }
                lock.wait(until: deadline)
            }
        }
    }
}
