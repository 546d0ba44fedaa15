// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLConfig

/// The places where `ConfigFile` deliberately differs from libxlutil, each checked against libxlutil's actual
/// behaviour so the difference stays documented.
final class DeliberateDifferenceTests: XCTestCase {
    private func value(_ text: String) throws -> String? {
        try ConfigFile(parsing: text, source: "t.cfg")["a"]?.value.string
    }

    func testNumericEscapesWorkHere() throws {
        XCTAssertEqual(try value("a = \"\\101\"\n"), "A")
        XCTAssertEqual(try value("a = \"\\x41\"\n"), "A")
        XCTAssertEqual(try value("a = \"\\x4\"\n"), "\u{4}")
        XCTAssertEqual(try value("a = \"\\1011\"\n"), "A1")
        XCTAssertEqual(try value("a = '\\xc3\\xa9'\n"), "é")
        XCTAssertEqual(try value("a = \"\\7\\t\"\n"), "\u{7}\t")
    }

    func testLibxlutilDropsOctalEscapesAndRejectsHex() {
        let octal = LibXLUtil.parse("a = \"A\\101B\"\n", keys: ["a"])
        XCTAssertEqual(octal.values["a"], .some(.string("AB")))
        XCTAssertEqual(try value("a = \"A\\101B\"\n"), "AAB")
        let spaced = LibXLUtil.parse("a = \"A\\1 2B\"\n", keys: ["a"])
        XCTAssertEqual(spaced.values["a"], .some(.string("AB")), "strtoul skips the space and eats \" 2\"")
        let hex = LibXLUtil.parse("a = \"\\x41\"\n", keys: ["a"])
        XCTAssertFalse(hex.accepted)
        XCTAssertTrue(hex.report.contains("invalid digit after backslash hexnumerical character escape"), hex.report)
        XCTAssertFalse(LibXLUtil.parse("a = \"A\\0B\"\n", keys: ["a"]).accepted)
    }

    func testBadEscapesAreErrorsWithPositions() {
        let cases: [(String, String)] = [
            ("a = \"x\\0\"\n", "t.cfg:1:7: bad escape: a string cannot contain a NUL character"),
            ("a = \"\\400\"\n", "t.cfg:1:6: bad escape: octal escapes go up to \\377"),
            ("a = \"\\xg\"\n", "t.cfg:1:6: bad escape: expected 1 or 2 hexadecimal digits after \\x, as in \\x41"),
            ("a = \"\\q\"\n", "t.cfg:1:6: bad escape \\q: expected one of \\\" \\' \\\\ \\a \\b \\f \\n \\r \\t \\v, \\xHH or \\OOO"),
            ("a = \"\\xff\"\n", "t.cfg:1:5: string is not valid UTF-8: expected UTF-8 text"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ConfigFile(parsing: text, source: "t.cfg"), text) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testCommentWithoutNewlineAtEndOfFile() throws {
        for text in ["a = 1\n# last", "a = 1 # last"] {
            XCTAssertFalse(LibXLUtil.parse(text, keys: ["a"]).accepted, text)
            XCTAssertEqual(try value(text), "1", text)
        }
    }

    func testStrayLastByteIsIgnoredLikeLibxlutilButWarned() throws {
        for text in ["a = 1\n$", "a = 1$", "a = 1 -", "a = 1\n\"", "a = 1\r", "a = 1 #"] {
            let theirs = LibXLUtil.parse(text, keys: ["a"])
            XCTAssertTrue(theirs.accepted, text)
            let file = try ConfigFile(parsing: text, source: "t.cfg")
            XCTAssertEqual(file["a"]?.value.string, "1", text)
            XCTAssertEqual(file.warnings.count, text.hasSuffix("#") ? 0 : 1, text)
        }
        let file = try ConfigFile(parsing: "a = 1\n$", source: "t.cfg")
        XCTAssertEqual(file.warnings, ["t.cfg:2:1: warning: ignoring '$' at the end of the input, as xl does"])
    }

    func testSyntaxErrorsNameFileLineColumnAndExpectation() {
        let cases: [(String, String)] = [
            ("a = 0x1F\n", "t.cfg:1:8: unexpected 'F': expected a lowercase name, a lowercase number such as 0x1f, or a quoted string"),
            ("a = -1\n", "t.cfg:1:5: unexpected '-': expected a quoted string, an unsigned number or a [list] (arithmetic and Python syntax are not supported)"),
            ("a = 1\r\n", "t.cfg:1:6: unexpected carriage return: the file has DOS (CRLF) line endings; expected LF line endings"),
            ("a = pvh\n", "t.cfg:1:5: expected a value (a quoted string, a number or a [list]) after '=', found name 'pvh'"),
            ("a = \"x\" \"y\"\n", "t.cfg:1:9: expected end of line or ';' after the value of 'a', found string \"y\""),
            ("a\n", "t.cfg:1:2: expected '=' or '+=' after 'a', found end of line"),
            ("= 1\n", "t.cfg:1:1: expected a setting name (lowercase letters, digits, '_' or '.', such as memory), found '='"),
            ("a = [ 1 2 ]\n", "t.cfg:1:9: expected ',' or ']' in the list, found number 2"),
            ("a = [ , ]\n", "t.cfg:1:7: expected a value (a quoted string, a number or a [list]) after '[', found ','"),
            ("x = 1\na = \"abc\n", "t.cfg:2:5: unterminated string: expected a closing \" on the same line"),
            ("a = \"x\"\na += [1]\n", "t.cfg:2:6: cannot use += to join a list and a single value: 'a' is a single value (set at t.cfg:1:1); expected a single value"),
            ("a =\n1\n", "t.cfg:1:4: expected a value (a quoted string, a number or a [list]) after '=', found end of line"),
        ]
        for (text, message) in cases {
            XCTAssertFalse(LibXLUtil.parse(text, keys: []).accepted, text)
            XCTAssertThrowsError(try ConfigFile(parsing: text, source: "t.cfg"), text) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testLimits() {
        let limits = ConfigLimits(maxBytes: 64, maxNesting: 2, maxListItems: 3, maxSettings: 2)
        let cases: [(String, String)] = [
            (String(repeating: "#", count: 70) + "\n", "t.cfg:1:1: too large: 71 bytes, at most 64 are allowed"),
            ("a = [[[1]]]\n", "t.cfg:1:7: lists nested too deeply: at most 2 levels are allowed"),
            ("a = [1,2,3,4]\n", "t.cfg:1:12: list too long: at most 3 items are allowed"),
            ("a = [1,2]\na += [3,4]\n", "t.cfg:2:6: list too long: at most 3 items are allowed"),
            ("a = 1\nb = 2\nc = 3\n", "t.cfg:3:1: too many settings: at most 2 are allowed"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ConfigFile(parsing: text, source: "t.cfg", limits: limits), text) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }
}
