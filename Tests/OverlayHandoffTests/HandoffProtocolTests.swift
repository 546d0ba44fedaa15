// SPDX-License-Identifier: Apache-2.0
import Foundation
import OverlayHandoff
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// Both halves of the hand-off on one in-memory xenstore, the guest half in its own thread with
/// its own connection acting as domain 5, the pages shared through the simulator's grant files.
final class HandoffProtocolTests: XCTestCase {
    static let guest: DomainID = 5
    private var database = XenStoreDatabase()
    private var dom0: InMemoryXenStore!
    private var grants = ""

    override func setUpWithError() throws {
        database = XenStoreDatabase()
        dom0 = InMemoryXenStore(database: database, caller: .dom0)
        try dom0.mkdir("/local/domain/5", in: nil)
        try dom0.setPermissions("/local/domain/5", [XenStorePermission(.none, .dom0), XenStorePermission(.read, Self.guest)], in: nil)
        try dom0.write("/local/domain/5/data", string: "")
        try dom0.setPermissions("/local/domain/5/data", [XenStorePermission(.none, Self.guest)], in: nil)
        grants = try DeviceTreeTools.scratch().path
    }

    /// The guest's half running in a thread; `result` is what its body returned or threw.
    final class Guest: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private(set) var result: Result<[String], Error> = .success([])

        init(database: XenStoreDatabase, grants: String, timeout: Double, _ body: @escaping @Sendable (OverlayReceiver) throws -> [String]) {
            let thread = Thread { [self] in
                do {
                    let store = InMemoryXenStore(database: database, caller: HandoffProtocolTests.guest)
                    let sharer = try SimulatedGrantTable(hostDirectory: grants).sharer(for: HandoffProtocolTests.guest)
                    result = .success(try body(OverlayReceiver(xenstore: store, sharer: sharer, timeout: timeout)))
                } catch {
                    result = .failure(error)
                }
                done.signal()
            }
            thread.start()
        }

        /// Waits for the guest's half to end.
        func join() -> Result<[String], Error> {
            _ = done.wait(timeout: .now() + 60)
            return result
        }
    }

    /// A guest that takes one request, receives an add and applies it, or confirms a remove.
    private func cooperativeGuest(timeout: Double = 10) -> Guest {
        Guest(database: database, grants: grants, timeout: timeout) { receiver in
            let request = try receiver.waitForRequest(wait: 10)
            var seen = [request.operation.rawValue, request.overlay.name, request.overlay.kind.rawValue, request.overlay.partialText]
            if request.operation == .add {
                let blob = try receiver.receive(request)
                seen.append(String(blob.count))
                seen.append(String(blob.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }))
                try receiver.report(.received, for: request.id)
                try receiver.waitForGoAhead(request)
                try receiver.report(.applied, for: request.id)
            } else {
                try receiver.report(.removed, for: request.id)
            }
            return seen
        }
    }

    private func sender(_ name: String = "eth", type: String = "normal", partial: String = "0", timeout: Double = 10) throws -> OverlaySender {
        try OverlaySender(xenstore: dom0, domain: Self.guest, request: try GuestOverlayRequest(name: name, type: type, partial: partial), timeout: timeout)
    }

    private func mapper() throws -> any GrantMapper { try SimulatedGrantTable(hostDirectory: grants).mapper() }

    private func checksum(_ blob: [UInt8]) -> String { String(blob.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }) }

    private func handoffNodes() throws -> [String] { try dom0.children(HandoffNodes.base(of: Self.guest)) }

    func testOverlaysArriveByteForByteAcrossPageBoundaries() throws {
        for size in [600, 4095, 4096, 4097, 12289, HandoffNodes.maximumSize] {
            let blob = try DeviceTreeTools.overlay(ofSize: size, seed: UInt64(size))
            let guest = cooperativeGuest()
            let sender = try sender("fpga-\(size)", type: "fpga", partial: "1")
            try sender.deliver(blob, mapper: mapper)
            try sender.commit()
            sender.finish()
            XCTAssertEqual(try guest.join().get(), ["add", "fpga-\(size)", "fpga", "1", String(size), checksum(blob)])
            XCTAssertEqual(try handoffNodes(), [], "every node of the hand-off is removed afterwards")
            XCTAssertFalse(try dom0.exists("/libxl/dt-overlay-handoff"))
            XCTAssertTrue(try SimulatedGrantTable(hostDirectory: grants).grants().isEmpty, "the guest unshared its pages")
        }
    }

    /// dom0's requests for a whole hand-off (Docs/performance.md): an add of two pages, then a remove: 64 and 48
    /// when the two sides do not get in each other's way, 94 and 75 before the clean-up and the waits were made
    /// leaner. How the sides interleave adds some: a status read or two per status the guest writes, and a
    /// transaction of dom0's that the guest's writes made retry (8 requests for the first one).
    func testAHandOffTakesFewRequestsOfDom0() throws {
        for (operation, most) in [(HandoffOperation.add, 76), (.remove, 62)] {
            let counting = CountingXenStore(dom0)
            let guest = cooperativeGuest()
            let sender = try OverlaySender(xenstore: counting, domain: Self.guest, request: try GuestOverlayRequest(name: "eth", type: "normal", partial: "0"), timeout: 10)
            if operation == .add {
                try sender.deliver(try DeviceTreeTools.overlay(ofSize: 5000, seed: 1), mapper: mapper)
                try sender.commit()
            } else {
                try sender.remove()
            }
            sender.finish()
            _ = try guest.join().get()
            XCTAssertLessThanOrEqual(counting.requests.count, most, "\(operation):\n" + counting.requests.joined(separator: "\n"))
        }
    }

    func testRemoveAsksTheGuestAndWaitsForItsAnswer() throws {
        let guest = cooperativeGuest()
        let sender = try sender()
        try sender.remove()
        sender.finish()
        XCTAssertEqual(try guest.join().get(), ["remove", "eth", "normal", "0"])
        XCTAssertEqual(try handoffNodes(), [])
    }

    func testTheNodesAndTheirOwners() throws {
        let database = self.database
        let guest = Guest(database: database, grants: grants, timeout: 10) { receiver in
            let request = try receiver.waitForRequest(wait: 10)
            let store = InMemoryXenStore(database: database, caller: HandoffProtocolTests.guest)
            var seen: [String] = []
            for node in ["receiver-status", "receiver-request", "request", "sender-status", "overlay-operation", "overlay-size", "overlay-pages", "overlay-name", "overlay-type", "overlay-partial"] {
                let owner = try store.permissions("data/overlay/\(node)", in: nil).first?.domain.rawValue ?? 99
                seen.append("\(node)=\(try store.readString("data/overlay/\(node)") ?? "-") owner \(owner)")
            }
            // The guest cannot rewrite what dom0 wrote.
            XCTAssertThrowsError(try store.write("data/overlay/overlay-size", string: "1", in: nil))
            try receiver.report(.removed, for: request.id)
            return seen
        }
        let sender = try sender()
        try sender.remove()
        let id = sender.id
        sender.finish()
        XCTAssertEqual(try guest.join().get(), [
            "receiver-status=waiting owner 5", "receiver-request= owner 5", "request=\(id) owner 0", "sender-status=ready owner 0",
            "overlay-operation=remove owner 0", "overlay-size=0 owner 0", "overlay-pages=0 owner 0", "overlay-name=eth owner 0",
            "overlay-type=normal owner 0", "overlay-partial=0 owner 0",
        ])
    }

    func testOneHandOffAtATimePerDomain() throws {
        let guest = cooperativeGuest()
        let first = try sender()
        XCTAssertThrowsError(try sender("other")) { error in
            XCTAssertEqual((error as? HandoffError)?.message, "another hand-off (request \(first.id), xl process \(getpid())) to domain 5 is in progress; try again when it ends")
        }
        try first.remove()
        first.finish()
        _ = guest.join()
        let next = cooperativeGuest()
        let second = try sender("other")
        try second.remove()
        second.finish()
        XCTAssertEqual(try next.join().get(), ["remove", "other", "normal", "0"])
    }

    func testALockLeftByAGoneProcessIsTakenOver() throws {
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        try dom0.write("/libxl/dt-overlay-handoff/5", string: "0123456789abcdef \(exited.processIdentifier) \(Int(Date().timeIntervalSince1970) + 3600)")
        let guest = cooperativeGuest()
        let sender = try sender()
        try sender.remove()
        sender.finish()
        XCTAssertEqual(try guest.join().get(), ["remove", "eth", "normal", "0"])
    }

    func testNoGuestIsATimeout() throws {
        XCTAssertThrowsError(try sender(timeout: 0.2)) { error in
            XCTAssertEqual((error as? HandoffError)?.message, "domain 5 did not say it is waiting for an overlay within 0.2 s: run get_overlay.sh (or get_overlay) in the guest first")
        }
        XCTAssertEqual(try handoffNodes(), [])
        XCTAssertFalse(try dom0.exists("/libxl/dt-overlay-handoff"))
    }

    func testTheGuestChecksDom0sRequest() throws {
        let guest = Guest(database: database, grants: grants, timeout: 2) { receiver in
            _ = try receiver.waitForRequest(wait: 10)
            return []
        }
        // A request written by hand, with a page count that does not fit its size.
        let base = HandoffNodes.base(of: Self.guest)
        _ = try dom0.readWatch(timeout: 0)
        try dom0.watch(base + "/receiver-status", token: "t")
        while try dom0.readString(base + "/receiver-status") != "waiting" { _ = try dom0.readWatch(timeout: 5) }
        let readable = [XenStorePermission(.none, .dom0), XenStorePermission(.read, Self.guest)]
        for (node, value) in [("request", "abc123"), ("overlay-operation", "add"), ("overlay-size", "5000"), ("overlay-pages", "1"),
                              ("overlay-name", "eth"), ("overlay-type", "normal"), ("overlay-partial", "0"), ("sender-status", "ready")] {
            try dom0.write("\(base)/\(node)", string: value)
            try dom0.setPermissions("\(base)/\(node)", readable, in: nil)
        }
        let message = "request abc123: overlay-pages 1 is not the 2 page(s) 5000 bytes take"
        XCTAssertThrowsError(try guest.join().get()) { XCTAssertEqual(($0 as? HandoffError)?.message, message) }
        XCTAssertEqual(try dom0.readString(base + "/receiver-status"), "error")
        XCTAssertEqual(try dom0.readString(base + "/receiver-request"), "abc123")
        XCTAssertEqual(try dom0.readString(base + "/receiver-error"), message)
    }

    func testTheGuestIgnoresARequestDom0DidNotWrite() throws {
        let database = self.database
        let guest = Guest(database: database, grants: grants, timeout: 2) { receiver in
            let store = InMemoryXenStore(database: database, caller: HandoffProtocolTests.guest)
            try store.write("data/overlay/request", string: "abc", in: nil)
            try store.write("data/overlay/sender-status", string: "ready", in: nil)
            _ = try receiver.waitForRequest(wait: 0.3)
            return []
        }
        XCTAssertThrowsError(try guest.join().get()) {
            XCTAssertEqual(($0 as? HandoffError)?.message, "no request from domain 0 within 0.3 s")
        }
    }

    func testAnAbortReachesTheGuest() throws {
        let guest = Guest(database: database, grants: grants, timeout: 10) { receiver in
            let request = try receiver.waitForRequest(wait: 10)
            _ = try receiver.receive(request)
            try receiver.report(.received, for: request.id)
            try receiver.waitForGoAhead(request)
            return []
        }
        let sender = try sender(timeout: 2)
        try sender.deliver(try DeviceTreeTools.overlay(ofSize: 1000), mapper: mapper)
        // This guest does not acknowledge: the abort waits for it no longer than the timeout.
        sender.abort("Xen refused XEN_DOMCTL_dt_overlay with EBUSY")
        XCTAssertThrowsError(try guest.join().get()) { error in
            XCTAssertEqual((error as? HandoffError)?.message, "domain 0 gave up request \(sender.id): Xen refused XEN_DOMCTL_dt_overlay with EBUSY")
        }
        sender.finish()
    }

    func testASilentSenderIsATimeoutForTheGuest() throws {
        let guest = Guest(database: database, grants: grants, timeout: 0.3) { receiver in
            let request = try receiver.waitForRequest(wait: 10)
            _ = try receiver.receive(request)
            return []
        }
        // The request arrives, then dom0 never fills the pages.
        let sender = try sender()
        let base = HandoffNodes.base(of: Self.guest)
        let readable = [XenStorePermission(.none, .dom0), XenStorePermission(.read, Self.guest)]
        for (node, value) in [("overlay-operation", "add"), ("overlay-size", "600"), ("overlay-pages", "1"), ("overlay-name", "eth"),
                              ("overlay-type", "normal"), ("overlay-partial", "0"), ("sender-status", "ready")] {
            try dom0.write("\(base)/\(node)", string: value)
            try dom0.setPermissions("\(base)/\(node)", readable, in: nil)
        }
        XCTAssertThrowsError(try guest.join().get()) { error in
            XCTAssertEqual((error as? HandoffError)?.message, "domain 0 did not copy the overlay into the pages within 0.3 s")
        }
        sender.finish()
        XCTAssertTrue(try SimulatedGrantTable(hostDirectory: grants).grants().isEmpty, "the pages were unshared on the way out")
    }
}
