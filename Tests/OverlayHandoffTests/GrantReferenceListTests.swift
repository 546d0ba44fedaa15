// SPDX-License-Identifier: Apache-2.0
import OverlayHandoff
import XCTest

/// `page-refs` parsing: exactly the count dom0 computed, every token a bounded decimal.
final class GrantReferenceListTests: XCTestCase {
    private func parse(_ text: String, _ count: Int) throws -> [UInt32] {
        try GrantReferenceList.parse(Array(text.utf8), count: count)
    }

    private func refused(_ text: String, _ count: Int, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text, count), line: line) { error in
            XCTAssertEqual((error as? HandoffError)?.message, message, line: line)
        }
    }

    func testTheForkFormatRoundTrips() throws {
        XCTAssertEqual(GrantReferenceList.format([8, 9, 10]), "8,9,10,")
        XCTAssertEqual(try parse("8,9,10,", 3), [8, 9, 10])
        XCTAssertEqual(try parse("8,9,10", 3), [8, 9, 10], "the last comma may be missing")
        XCTAssertEqual(try parse("4294967295,0,", 2), [4_294_967_295, 0])
        XCTAssertEqual(try parse("0000000008,", 1), [8], "leading zeros are still a decimal number")
        let most = (0..<125).map { UInt32(4_294_967_170 + $0) }
        XCTAssertEqual(try parse(GrantReferenceList.format(most), 125), most)
    }

    func testWrongCounts() {
        refused("8,", 2, "page-refs holds 1 references; the overlay takes 2 pages")
        refused("8,9,10,", 2, "page-refs holds 3 references; the overlay takes 2 pages")
        refused("", 1, "page-refs holds 0 references; the overlay takes 1 pages")
        refused("8,", 0, "0 pages cannot be right")
        refused("8,", 126, "126 pages cannot be right")
    }

    func testMalformedTokens() {
        refused("8,,9,", 3, "page-refs entry 2 is \"\", not a grant reference (0 to 4294967295)")
        refused("-1,", 1, "page-refs entry 1 is \"-1\", not a grant reference (0 to 4294967295)")
        refused("abc,", 1, "page-refs entry 1 is \"abc\", not a grant reference (0 to 4294967295)")
        refused("0x10,", 1, "page-refs entry 1 is \"0x10\", not a grant reference (0 to 4294967295)")
        refused(" 8,", 1, "page-refs entry 1 is \" 8\", not a grant reference (0 to 4294967295)")
        refused("4294967296,", 1, "page-refs entry 1 is \"4294967296\", not a grant reference (0 to 4294967295)")
        refused("12345678901", 1, "page-refs entry 1 is \"12345678901\", not a grant reference (0 to 4294967295)")
        refused("8\n,", 1, "page-refs entry 1 is \"8?\", not a grant reference (0 to 4294967295)")
        refused("8,8,", 2, "page-refs names grant reference 8 twice")
    }

    func testOversizeTextIsRefusedBeforeItIsSplit() {
        refused(String(repeating: "1", count: 12), 1, "page-refs is 12 bytes long; 1 references take at most 11")
        refused(String(repeating: "9,", count: 2000), 3, "page-refs is 4000 bytes long; 3 references take at most 33")
    }
}
