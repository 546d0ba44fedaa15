// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// A guest's view: permission checks for unprivileged callers. In-memory only: acting as a guest against
/// the real daemon needs a hand-driven ring (see `Xenstored(guestRings:)`), which this suite does not do.
final class UnprivilegedTests: XCTestCase {
    private func store() throws -> (dom0: InMemoryXenStore, guest: InMemoryXenStore) {
        let dom0 = InMemoryXenStore()
        try dom0.write("/secret", string: "s")
        try dom0.write("/public", string: "p")
        try dom0.setPermissions("/public", [XenStorePermission(.none, 0), XenStorePermission(.read, 12)], in: nil)
        try dom0.mkdir("/local/domain/12", in: nil)
        try dom0.setPermissions("/local/domain/12", [XenStorePermission(.none, 12)], in: nil)
        return (dom0, dom0.connection(as: 12))
    }

    private func assertErrno<T>(_ errno: Errno, _ body: @autoclosure () throws -> T, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual(($0 as? XenStoreError)?.errno, errno, "\($0)", line: line) }
    }

    func testReadAndWriteFollowTheAccessList() throws {
        let (_, guest) = try store()
        assertErrno(.EACCES, try guest.read("/secret", in: nil))
        XCTAssertEqual(try guest.readString("/public"), "p")
        assertErrno(.EACCES, try guest.write("/public", [1], in: nil))
        assertErrno(.EACCES, try guest.read("/secret/missing", in: nil))
        assertErrno(.ENOENT, try guest.read("/public/missing", in: nil))
        assertErrno(.EACCES, try guest.remove("/public", in: nil))
        assertErrno(.EACCES, try guest.mkdir("/public", in: nil))
    }

    func testGuestOwnsWhatItCreatesAtHome() throws {
        let (dom0, guest) = try store()
        try guest.write("data/x", string: "1")
        XCTAssertEqual(try dom0.readString("/local/domain/12/data/x"), "1")
        XCTAssertEqual(try guest.permissions("data/x", in: nil), [XenStorePermission(.none, 12)])
        assertErrno(.EACCES, try guest.write("/public/new", [1], in: nil))
    }

    func testOnlyTheOwnerChangesPermissionsAndNeverTheOwner() throws {
        let (dom0, guest) = try store()
        try guest.write("data", string: "")
        try guest.setPermissions("data", [XenStorePermission(.none, 12), XenStorePermission(.read, 13)], in: nil)
        XCTAssertEqual(try dom0.permissions("/local/domain/12/data", in: nil).count, 2)
        assertErrno(.EPERM, try guest.setPermissions("data", [XenStorePermission(.none, 13)], in: nil))
        assertErrno(.EACCES, try guest.setPermissions("/public", [XenStorePermission(.none, 0)], in: nil))
        let tooMany = [XenStorePermission(.none, 12)] + (1...6).map { XenStorePermission(.read, DomainID(UInt16($0))) }
        assertErrno(.ENOSPC, try guest.setPermissions("data", tooMany, in: nil))
    }

    func testNodeSizeQuota() throws {
        let (dom0, guest) = try store()
        try guest.write("big", Array(repeating: 0x61, count: 2000), in: nil)
        assertErrno(.ENOSPC, try guest.write("big", Array(repeating: 0x61, count: 2049), in: nil))
        try dom0.write("/local/domain/12/big", Array(repeating: 0x61, count: 4000), in: nil)
    }

    func testNodesPerDomainQuota() throws {
        let (dom0, guest) = try store()
        // The guest owns its home already: 999 more (37 directories of 26) make the 1000 xenstored
        // allows. (Directories, because a node's children count against its 2048-byte size.)
        for directory in 0..<37 {
            for child in 0..<26 { try guest.write("d\(directory)/c\(child)", string: "") }
        }
        assertErrno(.ENOSPC, try guest.write("n999", [], in: nil))
        assertErrno(.ENOSPC, try guest.write("deep/er", [], in: nil))
        let tx = try guest.startTransaction()
        assertErrno(.ENOSPC, try guest.write("n999", [], in: tx))
        try guest.remove("d0/c0", in: tx)
        try guest.write("n999", [], in: tx)
        XCTAssertTrue(try guest.endTransaction(tx, commit: true))
        assertErrno(.ENOSPC, try guest.mkdir("n1000", in: nil))
        // dom0 has no quota, even for nodes the guest owns.
        try dom0.write("/local/domain/12/by-dom0", string: "")
    }

    func testWatchEventsNeedReadAccess() throws {
        let (dom0, guest) = try store()
        try guest.watch("/", token: "all")
        XCTAssertEqual(try guest.readWatch(timeout: 0), XenStoreWatchEvent(path: "/", token: "all"))
        try dom0.write("/secret", string: "changed")
        XCTAssertNil(try guest.readWatch(timeout: 0))
        try dom0.write("/public", string: "changed")
        XCTAssertEqual(try guest.readWatch(timeout: 0), XenStoreWatchEvent(path: "/public", token: "all"))
    }

    func testTreeRoundTripsThroughJSON() throws {
        let (dom0, _) = try store()
        let data = try JSONEncoder().encode(dom0.tree)
        let restored = InMemoryXenStore(tree: try JSONDecoder().decode(XenStoreTree.self, from: data))
        XCTAssertEqual(restored.tree, dom0.tree)
        XCTAssertEqual(try restored.readString("/public"), "p")
        XCTAssertEqual(try restored.permissions("/public", in: nil).last, XenStorePermission(.read, 12))
    }

    func testReplacingTheTreeFailsOpenTransactions() throws {
        let (dom0, _) = try store()
        let tx = try dom0.startTransaction()
        _ = try dom0.read("/public", in: tx)
        dom0.tree = dom0.tree
        XCTAssertFalse(try dom0.endTransaction(tx, commit: true))
    }
}
