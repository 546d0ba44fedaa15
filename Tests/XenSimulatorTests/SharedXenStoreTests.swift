// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// The simulated host's xenstore shared by separate connections through `DIR/xenstore.json`: the guest's
/// connection is opened as another process opens it, or, `inProcess`, as a second connection of dom0's process.
final class SharedXenStoreTests: XCTestCase {
    private func stores(inProcess: Bool = false) throws -> (directory: String, dom0: SharedXenStore, guest: SharedXenStore) {
        let directory = try DeviceTreeTools.scratch().path
        let dom0 = try SharedXenStore(directory: directory, caller: .dom0, create: true)
        try dom0.mkdir("/local/domain/5", in: nil)
        try dom0.setPermissions("/local/domain/5", [XenStorePermission(.none, 5)], in: nil)
        return (directory, dom0, inProcess ? dom0.connection(as: 5) : try SharedXenStore(directory: directory, caller: 5))
    }

    private func drain(_ store: any XenStore) throws -> [XenStoreWatchEvent] {
        var events: [XenStoreWatchEvent] = []
        while let event = try store.readWatch(timeout: 0) { events.append(event) }
        return events
    }

    func testChangesAndWatchesCrossConnections() throws {
        try changesAndWatchesCross(try stores())
    }

    func testChangesAndWatchesCrossConnectionsOfOneProcess() throws {
        let (directory, dom0, guest) = try stores(inProcess: true)
        try changesAndWatchesCross((directory, dom0, guest))
        try dom0.write("/local/domain/5/last", string: "1")
        let other = try SharedXenStore(directory: directory, caller: 5)
        XCTAssertEqual(try other.readString("last"), "1", "what the process changed is in the file for other processes")
    }

    private func changesAndWatchesCross(_ stores: (directory: String, dom0: SharedXenStore, guest: SharedXenStore)) throws {
        let (_, dom0, guest) = stores
        try dom0.watch("/local/domain/5/data", token: "d")
        XCTAssertEqual(try drain(dom0), [XenStoreWatchEvent(path: "/local/domain/5/data", token: "d")])
        try guest.write("data/overlay/receiver-status", string: "waiting")
        XCTAssertEqual(try dom0.readWatch(timeout: 5), XenStoreWatchEvent(path: "/local/domain/5/data/overlay/receiver-status", token: "d"))
        XCTAssertEqual(try drain(dom0), [], "one event for the node written, none for the parents it created")
        XCTAssertEqual(try dom0.readString("/local/domain/5/data/overlay/receiver-status"), "waiting")
        XCTAssertEqual(try dom0.permissions("/local/domain/5/data/overlay", in: nil), [XenStorePermission(.none, 5)])
        try guest.watch("data/overlay/sender-status", token: "s")
        XCTAssertEqual(try drain(guest), [XenStoreWatchEvent(path: "data/overlay/sender-status", token: "s")])
        try dom0.write("/local/domain/5/data/overlay/sender-status", string: "ready")
        XCTAssertEqual(try guest.readWatch(timeout: 5), XenStoreWatchEvent(path: "data/overlay/sender-status", token: "s"))
        try dom0.remove("/local/domain/5/data/overlay", in: nil)
        XCTAssertEqual(try drain(guest), [XenStoreWatchEvent(path: "data/overlay/sender-status", token: "s")])
    }

    func testTheGuestIsHeldToItsPermissionsAndQuotas() throws {
        let (_, dom0, guest) = try stores()
        try dom0.write("/secret", string: "s")
        XCTAssertThrowsError(try guest.read("/secret", in: nil)) { XCTAssertEqual(($0 as? XenStoreError)?.errno, .EACCES) }
        XCTAssertThrowsError(try guest.write("big", [UInt8](repeating: 1, count: 4000), in: nil)) { XCTAssertEqual(($0 as? XenStoreError)?.errno, .ENOSPC) }
        XCTAssertEqual(guest.caller, 5)
    }

    func testTransactionsConflictAcrossConnections() throws {
        try transactionsConflict(try stores())
        try transactionsConflict(try stores(inProcess: true))
    }

    private func transactionsConflict(_ stores: (directory: String, dom0: SharedXenStore, guest: SharedXenStore)) throws {
        let (_, dom0, guest) = stores
        try dom0.write("/local/domain/5/x", string: "1")
        let tx = try dom0.startTransaction()
        XCTAssertEqual(try dom0.readString("/local/domain/5/x", in: tx), "1")
        try guest.write("x", string: "2")
        try dom0.write("/local/domain/5/y", string: "1", in: tx)
        XCTAssertFalse(try dom0.endTransaction(tx, commit: true), "x changed in another connection")
        // A change to a node the transaction did not touch does not conflict.
        try dom0.write("/local/domain/5/y", string: "0")
        let second = try dom0.startTransaction()
        try dom0.write("/local/domain/5/y", string: "1", in: second)
        try guest.write("z", string: "3")
        XCTAssertTrue(try dom0.endTransaction(second, commit: true))
        XCTAssertEqual(try guest.readString("y"), "1")
    }

    func testTheFileIsTheTreeAndWaitsEndAtTheTimeout() throws {
        let (directory, dom0, _) = try stores()
        try dom0.write("/local/domain/5/name", [0, 0x22, 0xff], in: nil)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/xenstore.json"))
        XCTAssertEqual(try XenStoreTreeJSON.decode(data), dom0.tree)
        try dom0.watch("/nothing", token: "t")
        _ = try drain(dom0)
        let start = Date()
        XCTAssertNil(try dom0.readWatch(timeout: 0.3))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.25)
    }

    func testAWaitWakesWhenAnotherThreadWrites() throws {
        let (directory, dom0, _) = try stores()
        try dom0.watch("/local/domain/5/late", token: "l")
        _ = try drain(dom0)
        let writer = Thread {
            usleep(100_000)
            try? SharedXenStore(directory: directory, caller: 5).write("late", string: "1")
        }
        writer.start()
        XCTAssertEqual(try dom0.readWatch(timeout: 10), XenStoreWatchEvent(path: "/local/domain/5/late", token: "l"))
    }

    func testAGuestNeedsAnExistingHost() throws {
        let directory = try DeviceTreeTools.scratch().path
        XCTAssertThrowsError(try SharedXenStore(directory: directory, caller: 5)) { error in
            XCTAssertEqual((error as? SimulatorError)?.message, "\(directory)/xenstore.json does not exist: no simulated host in \(directory)")
        }
    }
}
