// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// Watch registration and events, on both backends.
final class WatchTests: XCTestCase {
    private func events(_ store: any XenStore) throws -> [XenStoreWatchEvent] {
        var all: [XenStoreWatchEvent] = []
        while let event = try store.readWatch(timeout: 0.2) { all.append(event) }
        return all
    }

    private func event(_ path: String, _ token: String) -> XenStoreWatchEvent {
        XenStoreWatchEvent(path: path, token: token)
    }

    func testFiresOnceAtRegistrationThenOnChangesBelow() throws {
        try onBothBackends { b in
            try b.store.watch("/w", token: "t1")
            XCTAssertEqual(try events(b.store), [event("/w", "t1")], "\(b.kind)")
            try b.store.write("/w/x/y", string: "1")
            XCTAssertEqual(try events(b.store), [event("/w/x/y", "t1")], "\(b.kind)")
            try b.store.write("/other", string: "1")
            XCTAssertNil(try b.store.readWatch(timeout: 0.1), "\(b.kind)")
            try b.store.write("/w/x/y", string: "1")
            XCTAssertEqual(try events(b.store), [event("/w/x/y", "t1")], "\(b.kind): rewriting the same value fires")
            try b.store.mkdir("/w/x", in: nil)
            XCTAssertEqual(try events(b.store), [], "\(b.kind): mkdir of an existing node does not fire")
            try b.store.setPermissions("/w", [XenStorePermission(.read, 0)], in: nil)
            XCTAssertEqual(try events(b.store), [event("/w", "t1")], "\(b.kind)")
            try b.store.remove("/w/missing", in: nil)
            XCTAssertEqual(try events(b.store), [], "\(b.kind): removing a missing node does not fire")
        }
    }

    func testRemoveFiresTheRemovedNodeAndWatchedDescendants() throws {
        try onBothBackends { b in
            try b.store.write("/w/x/y", string: "1")
            try b.store.watch("/w", token: "top")
            try b.store.watch("/w/x/y", token: "deep")
            _ = try events(b.store)
            try b.store.remove("/w", in: nil)
            XCTAssertEqual(Set(try events(b.store)), [event("/w", "top"), event("/w/x/y", "deep")], "\(b.kind)")
        }
    }

    func testRegistrationErrorsAndUnwatch() throws {
        try onBothBackends { b in
            try b.store.watch("/w", token: "t")
            XCTAssertErrno(.EEXIST, b, try b.store.watch("/w", token: "t"))
            try b.store.watch("/w", token: "u")
            XCTAssertErrno(.EINVAL, b, try b.store.watch("/bad//x", token: "t"))
            XCTAssertErrno(.ENOENT, b, try b.store.unwatch("/zz", token: "t"))
            try b.store.unwatch("/w", token: "t")
            _ = try events(b.store)
            try b.store.write("/w", string: "1")
            XCTAssertEqual(try events(b.store), [event("/w", "u")], "\(b.kind)")
        }
    }

    func testSpecialAndRelativeWatches() throws {
        try onBothBackends { b in
            try b.store.watch("@introduceDomain", token: "intro")
            try b.store.watch("@releaseDomain", token: "release")
            XCTAssertEqual(try events(b.store), [event("@introduceDomain", "intro"), event("@releaseDomain", "release")], "\(b.kind)")
            try b.store.watch("relw", token: "rel")
            XCTAssertEqual(try events(b.store), [event("relw", "rel")], "\(b.kind)")
            try b.store.write("/local/domain/0/relw/a", string: "1")
            XCTAssertEqual(try events(b.store), [event("relw/a", "rel")], "\(b.kind)")
        }
    }

    func testChangesFromAnotherConnectionFire() throws {
        try onBothBackends { b in
            let other = try b.secondConnection()
            try b.store.watch("/shared", token: "s")
            _ = try events(b.store)
            try other.write("/shared/k", string: "v")
            XCTAssertEqual(try events(b.store), [event("/shared/k", "s")], "\(b.kind)")
            XCTAssertNil(try other.readWatch(timeout: 0.1), "\(b.kind): the writer has no watch")
        }
    }

    func testTimeoutReturnsNil() throws {
        try onBothBackends { b in
            let start = Date()
            XCTAssertNil(try b.store.readWatch(timeout: 0.2), "\(b.kind)")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.15, "\(b.kind)")
        }
    }
}
