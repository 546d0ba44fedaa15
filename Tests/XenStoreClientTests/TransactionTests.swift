// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// Transactions: visibility, commit, abort and the daemon's conflict rules, on both backends.
final class TransactionTests: XCTestCase {
    func testCommitPublishesAndAbortDiscards() throws {
        try onBothBackends { b in
            try b.store.watch("/t", token: "w")
            _ = try b.store.readWatch(timeout: 0.2)
            let tx = try b.store.startTransaction()
            try b.store.write("/t/a", string: "1", in: tx)
            XCTAssertEqual(try b.store.readString("/t/a", in: tx), "1", "\(b.kind)")
            XCTAssertNil(try b.store.readString("/t/a"), "\(b.kind): invisible outside before commit")
            XCTAssertNil(try b.store.readWatch(timeout: 0.1), "\(b.kind): no event before commit")
            XCTAssertTrue(try b.store.endTransaction(tx, commit: true), "\(b.kind)")
            XCTAssertEqual(try b.store.readString("/t/a"), "1", "\(b.kind)")
            XCTAssertEqual(try b.store.readWatch(timeout: 1), XenStoreWatchEvent(path: "/t/a", token: "w"), "\(b.kind)")

            let aborted = try b.store.startTransaction()
            try b.store.write("/t/b", string: "2", in: aborted)
            try b.store.remove("/t/a", in: aborted)
            XCTAssertTrue(try b.store.endTransaction(aborted, commit: false), "\(b.kind)")
            XCTAssertNil(try b.store.readString("/t/b"), "\(b.kind)")
            XCTAssertEqual(try b.store.readString("/t/a"), "1", "\(b.kind)")
            XCTAssertNil(try b.store.readWatch(timeout: 0.1), "\(b.kind): no event for an aborted transaction")
        }
    }

    func testUnknownTransactionIsENOENT() throws {
        try onBothBackends { b in
            XCTAssertErrno(.ENOENT, b, try b.store.endTransaction(XenStoreTransaction(id: 12345), commit: true))
            XCTAssertErrno(.ENOENT, b, try b.store.read("/", in: XenStoreTransaction(id: 12345)))
        }
    }

    func testSecondConflictingCommitFailsAndFirstWriteWins() throws {
        try onBothBackends { b in
            try b.store.write("/c/x", string: "0")
            let other = try b.secondConnection()
            let first = try b.store.startTransaction()
            let second = try other.startTransaction()
            _ = try b.store.read("/c/x", in: first)
            _ = try other.read("/c/x", in: second)
            try b.store.write("/c/x", string: "first", in: first)
            try other.write("/c/x", string: "second", in: second)
            XCTAssertTrue(try b.store.endTransaction(first, commit: true), "\(b.kind)")
            XCTAssertFalse(try other.endTransaction(second, commit: true), "\(b.kind)")
            XCTAssertEqual(try b.store.readString("/c/x"), "first", "\(b.kind)")
        }
    }

    func testTransactionSeesLaterOutsideWritesToNodesItHasNotTouched() throws {
        try onBothBackends { b in
            let tx = try b.store.startTransaction()
            try b.store.write("/c/snap", string: "1")
            XCTAssertEqual(try b.store.readString("/c/snap", in: tx), "1", "\(b.kind)")
            XCTAssertTrue(try b.store.endTransaction(tx, commit: false), "\(b.kind)")
        }
    }

    /// Which outside changes make a commit fail, as xenstored 4.17 decides.
    func testConflictRules() throws {
        typealias Step = (any XenStore, XenStoreTransaction) throws -> Void
        let cases: [(String, inside: Step, outside: Step, commits: Bool)] = [
            ("read missing node, then created outside",
             { try _ = $0.readString("/c/missing", in: $1); try $0.write("/c/other", string: "1", in: $1) },
             { s, _ in try s.write("/c/missing", string: "v") }, false),
            ("create a child, sibling created outside",
             { try $0.write("/c/n1", string: "1", in: $1) }, { s, _ in try s.write("/c/n2", string: "v") }, false),
            ("write a node, another node rewritten outside",
             { try $0.write("/c/a", string: "1", in: $1) }, { s, _ in try s.write("/c/b", string: "v") }, true),
            ("read a node, another node changed outside",
             { try _ = $0.read("/c/a", in: $1) }, { s, _ in try s.write("/c/b", string: "v") }, true),
            ("read a node, the same node changed outside",
             { try _ = $0.read("/c/a", in: $1) }, { s, _ in try s.write("/c/a", string: "v") }, false),
            ("list a directory, child added outside",
             { try _ = $0.directory("/c", in: $1) }, { s, _ in try s.write("/c/zz", string: "v") }, false),
            ("list a directory, child value changed outside",
             { try _ = $0.directory("/c", in: $1) }, { s, _ in try s.write("/c/a", string: "v") }, true),
            ("read a node, a child created under it outside",
             { try _ = $0.read("/c/a", in: $1) }, { s, _ in try s.write("/c/a/sub", string: "v") }, false),
            ("remove a node, a child created under it outside",
             { try $0.remove("/c/b", in: $1) }, { s, _ in try s.write("/c/b/q", string: "v") }, false),
            ("nothing changed", { try _ = $0.read("/c/a", in: $1) }, { _, _ in }, true),
        ]
        try onBothBackends { b in
            for (name, inside, outside, commits) in cases {
                try b.store.remove("/c", in: nil)
                try b.store.write("/c/a", string: "a")
                try b.store.write("/c/b", string: "b")
                let tx = try b.store.startTransaction()
                try inside(b.store, tx)
                try outside(b.store, tx)
                XCTAssertEqual(try b.store.endTransaction(tx, commit: true), commits, "[\(b.kind)] \(name)")
            }
        }
    }

    func testTransactionHelperRetriesUntilItCommits() throws {
        try onBothBackends { b in
            try b.store.write("/c/n", string: "0")
            let other = try b.secondConnection()
            var attempts = 0
            let result = try b.store.transaction { tx in
                attempts += 1
                let value = Int(try b.store.readString("/c/n", in: tx) ?? "") ?? -1
                if attempts == 1 { try other.write("/c/n", string: "10") }
                try b.store.write("/c/n", string: String(value + 1), in: tx)
                return value + 1
            }
            XCTAssertEqual(attempts, 2, "\(b.kind)")
            XCTAssertEqual(result, 11, "\(b.kind)")
            XCTAssertEqual(try b.store.readString("/c/n"), "11", "\(b.kind)")
        }
    }

    func testTransactionHelperAbortsOnError() throws {
        try onBothBackends { b in
            XCTAssertThrowsError(try b.store.transaction { tx in
                try b.store.write("/c/partial", string: "1", in: tx)
                _ = try b.store.read("/c/none", in: tx)
            }, "\(b.kind)")
            XCTAssertNil(try b.store.readString("/c/partial"), "\(b.kind)")
        }
    }
}
