// SPDX-License-Identifier: Apache-2.0
import TestSupport
import XCTest
import XenStoreClient
import XenTypes

/// One store under test: the real xenstored through libxenstore, or the in-memory fake.
final class Backend {
    enum Kind: String, CaseIterable {
        case xenstored, inMemory
    }

    let kind: Kind
    let store: any XenStore
    private let daemon: Xenstored?
    private let connect: () throws -> any XenStore

    init(_ kind: Kind) throws {
        self.kind = kind
        switch kind {
        case .xenstored:
            let daemon = try Xenstored()
            let path = daemon.socketPath
            self.daemon = daemon
            connect = { try LibXenStoreBackend(socketPath: path) }
        case .inMemory:
            let memory = InMemoryXenStore()
            daemon = nil
            connect = { memory.connection(as: .dom0) }
            store = memory
            return
        }
        store = try connect()
    }

    /// Another dom0 connection to the same store.
    func secondConnection() throws -> any XenStore { try connect() }
}

extension XCTestCase {
    /// Runs `body` against the real xenstored and against `InMemoryXenStore`, so the daemon is the oracle.
    ///
    /// Skips (after running the in-memory half) when the daemon cannot run here.
    func onBothBackends(_ body: (Backend) throws -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        for kind in Backend.Kind.allCases {
            if kind == .xenstored && !Xenstored.isAvailable { continue }
            let backend = try Backend(kind)
            do {
                try body(backend)
            } catch {
                XCTFail("[\(kind)] unexpected error: \(error)", file: file, line: line)
            }
        }
        if !Xenstored.isAvailable { throw XCTSkip(Xenstored.unavailableReason) }
    }
}

/// Asserts that `body` fails with `errno`.
func XCTAssertErrno<T>(_ errno: Errno, _ backend: Backend, _ body: @autoclosure () throws -> T,
                       file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        XCTFail("[\(backend.kind)] expected \(errno.name), got \(value)", file: file, line: line)
    } catch let error as XenStoreError {
        XCTAssertEqual(error.errno, errno, "[\(backend.kind)] \(error)", file: file, line: line)
    } catch {
        XCTFail("[\(backend.kind)] expected \(errno.name), got \(error)", file: file, line: line)
    }
}
