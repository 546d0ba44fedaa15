// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenStoreClient
import XenTypes

/// The nodes-per-domain quota, with the real xenstored as the oracle: a guest (domain 12, through
/// its ring) owning its home fills it with `xenstore-write`, and the in-memory store must stop
/// that guest at the same node.
final class GuestQuotaOracleTests: XCTestCase {
    /// 36 directories of 26 nodes, 27 nodes per transaction; then single nodes until refused.
    /// Returns how many single nodes were accepted.
    private func fill(_ write: ([String]) -> Bool) -> Int {
        for directory in 0..<36 {
            XCTAssertTrue(write((0..<26).map { "d\(directory)/c\($0)" }), "directory \(directory)")
        }
        var singles = 0
        while singles < 100, write(["n\(singles)"]) { singles += 1 }
        return singles
    }

    func testTheGuestIsStoppedAtTheSameNodeAsByXenstored() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/xenstore-write"), "xenstore-utils is not installed")
        let daemon = try Xenstored(guestRings: true)
        let dom0 = try LibXenStoreBackend(socketPath: daemon.socketPath)
        try dom0.introduceDomain(12, mfn: 0x1234, eventChannel: 5)
        try dom0.mkdir("/local/domain/12", in: nil)
        try dom0.setPermissions("/local/domain/12", [XenStorePermission(.none, 12)], in: nil)
        let environment = try daemon.guestEnvironment(12)
        let real = fill { paths in
            guard let process = try? GuestScript.Run(executable: "/usr/bin/xenstore-write", arguments: paths.flatMap { [$0, "x"] }, environment: environment)
            else { return false }
            return process.wait().status == 0
        }

        let memory = InMemoryXenStore()
        try memory.mkdir("/local/domain/12", in: nil)
        try memory.setPermissions("/local/domain/12", [XenStorePermission(.none, 12)], in: nil)
        let guest = memory.connection(as: 12)
        let modelled = fill { paths in
            do {
                try guest.transaction { tx -> Void in for path in paths { try guest.write(path, string: "x", in: tx) } }
                return true
            } catch {
                return false
            }
        }
        XCTAssertEqual(real, 27, "xenstored: the home, 36 * 27 and 27 more make 1000")
        XCTAssertEqual(modelled, real)
    }
}
