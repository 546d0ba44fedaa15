// SPDX-License-Identifier: Apache-2.0
import Toolstack
import XCTest

/// The order-keeping JSON `xl list -l` prints records with: parsing, and yajl's beautified layout.
final class RecordJSONTests: XCTestCase {
    func testKeysKeepTheirOrderAndLiteralsTheirText() throws {
        let value = try XCTUnwrap(RecordJSON(parsing: #" {"z": 1.50, "a": [true, null, -3], "m": {"k": "a\"b\\c\/d\u00e9\n"}} "#))
        XCTAssertEqual(value, .object([
            .init("z", .literal("1.50")), .init("a", .array([.literal("true"), .literal("null"), .literal("-3")])),
            .init("m", .object([.init("k", .string("a\"b\\c/dé\n"))])),
        ]))
        XCTAssertEqual(value.rendered(), """
            {
                "z": 1.50,
                "a": [
                    true,
                    null,
                    -3
                ],
                "m": {
                    "k": "a\\"b\\\\c/dé\\n"
                }
            }
            """)
        XCTAssertEqual(RecordJSON(parsing: "[]")?.rendered(), "[\n\n]")
        XCTAssertEqual(RecordJSON(parsing: "{}")?.rendered(), "{\n\n}")
        XCTAssertEqual(RecordJSON(parsing: #""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(value.setting("a", to: .literal("0"))["a"], .literal("0"))
        XCTAssertEqual(value.setting("new", to: .literal("1")).rendered().hasSuffix("    \"new\": 1\n}"), true)
    }

    func testMalformedTextIsRefused() {
        for text in ["", "{", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "tru", "1 2", "\"\u{1}\"", "\"\\x\"", "\"\\ud800\"", "nul",
                     String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            XCTAssertNil(RecordJSON(parsing: text), text)
        }
    }
}
