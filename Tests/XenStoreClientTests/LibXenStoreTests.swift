// SPDX-License-Identifier: Apache-2.0
import TestSupport
import XCTest
import XenStoreClient
import XenSys
import XenTypes

/// The libxenstore layer itself: opening, and the domain requests the toolstack will need.
final class LibXenStoreTests: XCTestCase {
    func testOpenWithoutDaemonCarriesThePathAndErrno() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-xenstored-\(UUID())").path
        XCTAssertThrowsError(try LibXenStoreBackend(socketPath: path)) {
            XCTAssertEqual($0 as? XenStoreError, XenStoreError("open", path: path, errno: .ENOENT))
        }
    }

    func testIntroduceAndReleaseDomain() throws {
        guard Xenstored.isAvailable else { throw XCTSkip(Xenstored.unavailableReason) }
        let daemon = try Xenstored()
        let xs = try LibXenStore(socketPath: daemon.socketPath)
        let watcher = try LibXenStore(socketPath: daemon.socketPath)
        XCTAssertFalse(xs.isDomainIntroduced(12))
        try watcher.watch("@introduceDomain", token: "intro")
        XCTAssertEqual(try LibXenStore.readWatch(on: [watcher], timeout: 1)?.path, "@introduceDomain")
        try xs.introduceDomain(12, mfn: 0xfeffc, eventChannel: 3)
        XCTAssertTrue(xs.isDomainIntroduced(12))
        XCTAssertEqual(try LibXenStore.readWatch(on: [watcher], timeout: 1)?.token, "intro")
        XCTAssertEqual(try xs.domainPath(12), "/local/domain/12")
        try xs.releaseDomain(12)
        XCTAssertFalse(xs.isDomainIntroduced(12))
    }

    func testIntroduceFailsWhenTheRingCannotBeMapped() throws {
        guard Xenstored.isAvailable else { throw XCTSkip(Xenstored.unavailableReason) }
        let daemon = try Xenstored(ringMapping: false)
        let xs = try LibXenStore(socketPath: daemon.socketPath)
        XCTAssertThrowsError(try xs.introduceDomain(12, mfn: 0xfeffc, eventChannel: 3)) {
            XCTAssertEqual(($0 as? LibXenStoreError)?.errno, .ENOENT)
        }
        XCTAssertFalse(xs.isDomainIntroduced(12))
    }
}
