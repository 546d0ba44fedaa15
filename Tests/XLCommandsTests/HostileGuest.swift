// SPDX-License-Identifier: Apache-2.0
import Foundation
import OverlayHandoff
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// A guest that plays the hand-off wrong on purpose: in a thread of the test process, on the
/// simulated host's shared xenstore as its domain, with the simulator's grant pages. It says
/// `waiting` (before the initialiser returns), waits for dom0's request, then runs its script.
final class HostileGuest: @unchecked Sendable {
    /// What a script can do once dom0's request is there.
    final class Context {
        let store: SharedXenStore
        let sharer: any GrantSharer
        /// dom0's request id and the page count it asked for.
        let id: String
        let pages: Int
        private var kept: [GrantedPages] = []

        init(store: SharedXenStore, sharer: any GrantSharer, id: String, pages: Int) {
            self.store = store
            self.sharer = sharer
            self.id = id
            self.pages = pages
        }

        /// Writes receiver nodes (names under `data/overlay`) in one transaction.
        func write(_ values: [(String, String)]) throws {
            try store.transaction { tx in
                for (node, value) in values { try store.write("data/overlay/\(node)", string: value, in: tx) }
            }
        }

        /// Shares `count` pages with dom0 (kept until the guest ends); their references.
        func share(_ count: Int) throws -> [UInt32] {
            let pages = try sharer.share(pages: count, with: .dom0, writable: true)
            kept.append(pages)
            return pages.references
        }

        /// Waits up to 10 s for dom0's `sender-status` to become `status`.
        func waitForSender(_ status: String) throws {
            try store.watch("data/overlay/sender-status", token: "hostile-\(status)")
            let deadline = Date().addingTimeInterval(10)
            while try store.readString("data/overlay/sender-status") != status, Date() < deadline {
                _ = try store.readWatch(timeout: 1)
            }
        }

        /// Waits up to 10 s for dom0 to close its request (its nodes removed).
        func waitForTheEnd() throws {
            try store.watch("data/overlay/request", token: "hostile-end")
            let deadline = Date().addingTimeInterval(10)
            while try store.readString("data/overlay/request") == id, Date() < deadline {
                _ = try store.readWatch(timeout: 1)
            }
        }

        func release() { kept.forEach { try? $0.release() } }
    }

    private let done = DispatchSemaphore(value: 0)
    private let announced = DispatchSemaphore(value: 0)

    init(directory: String, domain: DomainID, _ script: @escaping @Sendable (Context) throws -> Void) {
        let thread = Thread { [done, announced] in
            defer { done.signal() }
            guard let store = try? SharedXenStore(directory: directory, caller: domain),
                let sharer = try? SimulatedGrantTable(hostDirectory: directory).sharer(for: domain)
            else {
                announced.signal()
                return
            }
            try? store.transaction { tx in
                try store.write("data/overlay/receiver-request", string: "", in: tx)
                try store.write("data/overlay/receiver-status", string: "waiting", in: tx)
            }
            announced.signal()
            let announce = Context(store: store, sharer: sharer, id: "", pages: 0)
            try? announce.waitForSender("ready")
            guard let id = try? store.readString("data/overlay/request"),
                let pages = (try? store.readString("data/overlay/overlay-pages")).flatMap({ $0 }).flatMap({ Int($0) })
            else { return }
            let context = Context(store: store, sharer: sharer, id: id, pages: pages)
            try? script(context)
            // Stay until dom0 gave up or finished, so the pages are still shared meanwhile.
            try? context.waitForTheEnd()
            context.release()
        }
        thread.start()
        _ = announced.wait(timeout: .now() + 30)
    }

    /// Waits for the guest to end (once dom0 closed its request).
    func join() { _ = done.wait(timeout: .now() + 30) }
}
