// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import Toolstack
import XenStoreClient

/// The configuration record `xl list -l` prints, in one xenstore node or split over several.
final class LibxlConfigRecordTests: XCTestCase {
    private func roundTrip(_ json: String) throws -> (String?, [String]) {
        let store = InMemoryXenStore()
        try store.transaction { tx in try LibxlConfigRecord.write(json, under: "/libxl/3", to: store, in: tx) }
        return (try LibxlConfigRecord.read(under: "/libxl/3", from: store), try store.children("/libxl/3/libxl-json"))
    }

    func testAShortRecordIsOneNode() throws {
        let (read, parts) = try roundTrip("{\"c_info\":{\"name\":\"a\"}}")
        XCTAssertEqual(read, "{\"c_info\":{\"name\":\"a\"}}")
        XCTAssertEqual(parts, [])
    }

    func testALongRecordIsSplitAndJoined() throws {
        let irqs = (32..<1020).map(String.init).joined(separator: ",")
        let json = "{\"b_info\":{\"irqs\":[\(irqs)],\"cmdline\":\"é✓ \(irqs)\"}}"
        XCTAssertGreaterThan(json.utf8.count, 4096, "more than one xenstore request carries")
        let (read, parts) = try roundTrip(json)
        XCTAssertEqual(read, json)
        XCTAssertEqual(parts.count, (json.utf8.count + LibxlConfigRecord.partBytes - 1) / LibxlConfigRecord.partBytes)
    }

    func testTooLongAndDamagedRecords() throws {
        let store = InMemoryXenStore()
        let huge = String(repeating: "x", count: LibxlConfigRecord.partBytes * LibxlConfigRecord.maxParts + 1)
        XCTAssertThrowsError(try store.transaction { tx in try LibxlConfigRecord.write(huge, under: "/libxl/3", to: store, in: tx) })
        XCTAssertNil(try LibxlConfigRecord.read(under: "/libxl/3", from: store))
        try store.write("/libxl/4/libxl-json", string: "")
        try store.write("/libxl/4/libxl-json/1", string: "{}")
        XCTAssertNil(try LibxlConfigRecord.read(under: "/libxl/4", from: store), "parts must be 0, 1, ... without gaps")
    }
}
