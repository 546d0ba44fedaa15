// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenTypes

/// Grant pages of the simulated host: shared by a guest, mapped by dom0, the same bytes on both sides.
final class SimulatedGrantTableTests: XCTestCase {
    private func table() throws -> SimulatedGrantTable {
        try SimulatedGrantTable(hostDirectory: try DeviceTreeTools.scratch().path)
    }

    private func errno(_ body: () throws -> Void) -> Errno? {
        do { try body() } catch let error as GrantError { return error.errno } catch { return nil }
        return nil
    }

    func testSharedPagesAreTheSameMemoryOnBothSides() throws {
        let grants = try table()
        let shared = try grants.sharer(for: 3).share(pages: 2, with: .dom0, writable: true)
        XCTAssertEqual(shared.references, [8, 9])
        XCTAssertEqual(shared.memory.count, 8192)
        XCTAssertEqual(try shared.read(8192), [UInt8](repeating: 0, count: 8192))
        XCTAssertEqual(try grants.grants().map(\.ref), [8, 9])

        let mapped = try grants.mapper().map(shared.references, from: 3, writable: true)
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try mapped.write(bytes)
        XCTAssertEqual(try shared.read(5000), bytes, "one page boundary crossed")
        try mapped.release()
        try shared.release()
        XCTAssertTrue(try grants.grants().isEmpty)
        // The next share reuses the freed references.
        XCTAssertEqual(try grants.sharer(for: 3).share(pages: 1, with: .dom0, writable: true).references, [8])
    }

    func testOnlyGrantsFromThatDomainToDom0Map() throws {
        let grants = try table()
        let shared = try grants.sharer(for: 3).share(pages: 1, with: .dom0, writable: false)
        let other = try grants.sharer(for: 4).share(pages: 1, with: 5, writable: true)
        let mapper = grants.mapper()
        XCTAssertEqual(errno { _ = try mapper.map([8], from: 3, writable: true) }, .EINVAL, "read-only grant mapped writable")
        XCTAssertNotNil(try mapper.map(shared.references, from: 3, writable: false))
        XCTAssertEqual(errno { _ = try mapper.map([8], from: 4, writable: false) }, .EINVAL, "granted to domain 5, not dom0")
        XCTAssertEqual(errno { _ = try mapper.map([9], from: 3, writable: false) }, .EINVAL, "never granted")
        XCTAssertEqual(errno { _ = try mapper.map([], from: 3, writable: false) }, .EINVAL)
        XCTAssertEqual(other.references, [8])
    }

    func testGntallocLimit() throws {
        let grants = try table()
        let sharer = grants.sharer(for: 3)
        let most = try sharer.share(pages: SimulatedGrantTable.maximumGrantsPerDomain, with: .dom0, writable: true)
        XCTAssertEqual(errno { _ = try sharer.share(pages: 1, with: .dom0, writable: true) }, .ENOSPC)
        try most.release()
        XCTAssertEqual(errno { _ = try sharer.share(pages: 0, with: .dom0, writable: true) }, .EINVAL)
    }

    func testGrantsOfAnExitedProcessGoAway() throws {
        let directory = try DeviceTreeTools.scratch().path
        let grants = try SimulatedGrantTable(hostDirectory: directory)
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let table = #"{"entries":[{"granter":3,"grantee":0,"process":\#(exited.processIdentifier),"ref":8,"writable":true}]}"#
        try Data(table.utf8).write(to: URL(fileURLWithPath: directory + "/grants/table.json"))
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/grants/pages/3-8", contents: Data(count: 4096)))
        XCTAssertTrue(try grants.grants().isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/grants/pages/3-8"))
    }
}
