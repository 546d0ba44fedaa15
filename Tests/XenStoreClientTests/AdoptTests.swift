// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// Taking over a tree another process changed (`XenStoreDatabase.adopt`): watches fire as the
/// daemon would have fired them, and only transactions that touched a changed node conflict.
final class AdoptTests: XCTestCase {
    private func events(_ store: InMemoryXenStore) throws -> Set<XenStoreWatchEvent> {
        var all: Set<XenStoreWatchEvent> = []
        while let event = try store.readWatch(timeout: 0) { all.insert(event) }
        return all
    }

    func testWatchesFireForWhatDiffers() throws {
        let ours = InMemoryXenStore()
        try ours.write("/a/keep", string: "1")
        try ours.write("/a/gone/deep", string: "1")
        try ours.watch("/a", token: "a")
        try ours.watch("/a/gone/deep", token: "deep")
        try ours.watch("@introduceDomain", token: "intro")
        _ = try events(ours)

        // Another process: a new chain, a changed value, a removed subtree, an introduction.
        let theirs = InMemoryXenStore(tree: ours.tree)
        try theirs.write("/a/new/chain/leaf", string: "x")
        try theirs.write("/a/keep", string: "2")
        try theirs.remove("/a/gone", in: nil)
        try theirs.introduceDomain(3, mfn: 1, eventChannel: 1)
        ours.database.adopt(theirs.tree)

        XCTAssertEqual(try events(ours), [
            XenStoreWatchEvent(path: "/a/new/chain/leaf", token: "a"), XenStoreWatchEvent(path: "/a/keep", token: "a"),
            XenStoreWatchEvent(path: "/a/gone", token: "a"), XenStoreWatchEvent(path: "/a/gone/deep", token: "deep"),
            XenStoreWatchEvent(path: "@introduceDomain", token: "intro"),
        ])
        XCTAssertEqual(ours.tree, theirs.tree)
        ours.database.adopt(theirs.tree)
        XCTAssertEqual(try events(ours), [], "the same tree again changes nothing")
    }

    func testOnlyTransactionsThatTouchedAChangedNodeConflict() throws {
        let ours = InMemoryXenStore()
        try ours.write("/x", string: "1")
        try ours.write("/y", string: "1")
        let touchesX = try ours.startTransaction()
        _ = try ours.read("/x", in: touchesX)
        let touchesY = try ours.startTransaction()
        try ours.write("/y", string: "2", in: touchesY)
        let revision = ours.database.revision

        let theirs = InMemoryXenStore(tree: ours.tree)
        try theirs.write("/x", string: "changed")
        ours.database.adopt(theirs.tree)
        XCTAssertGreaterThan(ours.database.revision, revision)
        XCTAssertFalse(try ours.endTransaction(touchesX, commit: true))
        XCTAssertTrue(try ours.endTransaction(touchesY, commit: true))
        XCTAssertEqual(try ours.readString("/x"), "changed")
        XCTAssertEqual(try ours.readString("/y"), "2")
    }
}
