// SPDX-License-Identifier: Apache-2.0
import XenStoreClient

/// A xenstore watch on one node, to wait until its state is what a step needs.
///
/// The state is looked at once at the start and again after every watch event (the daemon fires
/// once at registration too, so nothing written before the wait is missed); there is no polling.
final class NodeWatch {
    private let xenstore: any XenStore
    private let path: String
    private let token: String
    private var active = true

    /// Registers the watch on `path` (absolute, or relative to the caller's home).
    init(_ xenstore: any XenStore, path: String, token: String) throws {
        self.xenstore = xenstore
        self.path = path
        self.token = token
        do { try xenstore.watch(path, token: token) } catch {
            throw HandoffError("cannot watch \(path): \(error.errno)")
        }
    }

    /// Looks at the state with `check` now and after each event, until it gives a value; `nil`
    /// when `timeout` seconds pass first. `check` throws to end the wait with an error.
    func wait<T>(timeout: Double, _ check: () throws -> T?) throws -> T? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, min(timeout, 86_400)) * 1000))
        while true {
            if let value = try check() { return value }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            // Any event (of this watch or another one on the connection) means: look again.
            let event: XenStoreWatchEvent?
            do { event = try xenstore.readWatch(timeout: seconds) } catch {
                throw HandoffError("waiting on \(path): \(error.errno)")
            }
            if event == nil { return try check() }
        }
    }

    /// Removes the watch; later calls do nothing.
    func close() {
        guard active else { return }
        active = false
        try? xenstore.unwatch(path, token: token)
    }

    deinit { close() }
}
