// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest

/// The Swift structure check that runs before libfdt sees a blob: each malformed shape gets its
/// own reason, and well-formed blobs (dtc's among them) pass.
final class StructureCheckTests: XCTestCase {
    private func refuses(_ blob: [UInt8], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try DeviceTree(validating: blob), file: file, line: line) {
            XCTAssertEqual("\($0)", "not a valid flattened device tree: " + reason, file: file, line: line)
        }
    }

    private let device: [BlobBuilder.Token] = [.begin(""), .begin("soc"), .property("compatible", Array("simple-bus\0".utf8)), .begin("dev@1"), .end, .end, .end]

    func testAWellFormedBlobPassesAndReadsBack() throws {
        let tree = try DeviceTree(validating: BlobBuilder(device).build())
        XCTAssertEqual(try tree.nodePaths(), ["/", "/soc", "/soc/dev@1"])
        XCTAssertEqual(tree.property("compatible", of: "/soc")?.deviceTreeString, "simple-bus")
        XCTAssertNoThrow(try DeviceTree(validating: BlobBuilder(device.prefix(3) + [.nop] + device.dropFirst(3)).build()))
        refuses(BlobBuilder([.nop] + device).build(), "the structure block does not start with the root node")
        refuses(BlobBuilder(device + [.nop]).build(), "only the end token may follow the root node, not a NOP at offset 64 of the structure block")
    }

    func testHeaderFaults() {
        var old = BlobBuilder(device)
        old.version = 16
        refuses(old.build(), "header version 16 (last compatible 16); version 17 is expected, as dtc writes it")
        var future = BlobBuilder(device)
        future.version = 18
        future.lastCompatible = 18
        refuses(future.build(), "header version 18 (last compatible 18); version 17 is expected, as dtc writes it")
        var blob = BlobBuilder(device).build()
        blob.replaceSubrange(36..<40, with: BlobBuilder.word(4096))
        refuses(blob, "the structure block (offset 56, 4096 bytes) is not 4-byte aligned after the header and inside the blob")
        blob = BlobBuilder(device).build()
        blob.replaceSubrange(12..<16, with: BlobBuilder.word(60))
        refuses(blob, "the structure and strings blocks overlap")
        var reserved = BlobBuilder(device)
        reserved.reservations = [UInt8](repeating: 1, count: 32)
        refuses(reserved.build(), "the memory reservation map runs into the next block at offset 72")
    }

    func testStructureFaults() {
        refuses(BlobBuilder([.begin(""), .begin("a/b"), .end, .end]).build(), "node / has a subnode named \"a/b\", which contains /")
        refuses(BlobBuilder([.begin("root"), .end]).build(), "the root node is named \"root\"; it must have an empty name")
        refuses(BlobBuilder([.begin(""), .begin("a"), .end, .property("late", []), .end]).build(), "node /: property late comes after a subnode")
        refuses(BlobBuilder([.begin(""), .property("x", [1]), .property("x", [2]), .end]).build(), "node / has property x twice")
        refuses(BlobBuilder([.begin(""), .rawProperty(length: 0, nameOffset: 9999, value: []), .end]).build(),
                "node /: a property's name (strings offset 9999) is not a NUL-terminated string inside the strings block")
        refuses(BlobBuilder([.begin(""), .begin("a"), .end]).build(), "the end token comes inside node /, which is not closed")
        refuses(BlobBuilder([.begin(""), .end, .end]).build(), "an end-node token at offset 12 of the structure block closes no node")
        refuses(BlobBuilder([.begin(""), .end, .begin(""), .end]).build(), "a node follows the root node at offset 12 of the structure block")
        refuses(BlobBuilder([.end]).build(), "an end-node token at offset 0 of the structure block closes no node")
        refuses(BlobBuilder([.begin(""), .word(0x17), .end]).build(), "unknown token 0x17 at offset 8 of the structure block (in node /)")
        var unfinished = BlobBuilder(device)
        unfinished.finish = false
        refuses(unfinished.build(), "the structure block ends at offset 64 of the structure block without an end token")
        var trailing = BlobBuilder(device + [.word(9), .nop])
        trailing.finish = false
        refuses(trailing.build(), "4 bytes follow the end token of the structure block")
        let long = String(repeating: "n", count: 256)
        refuses(BlobBuilder([.begin(""), .begin(long), .end, .end]).build(), "a node name in node / is not NUL-terminated within 255 bytes")
    }

    func testPropertyLengthsThatWouldWrapAsInt() {
        for length: UInt32 in [0xffff_fffc, 0xffff_fff8, 0x8000_0000, 0x1000] {
            refuses(BlobBuilder([.begin(""), .rawProperty(length: length, nameOffset: 0, value: BlobBuilder.word(4)), .property("a", []), .end]).build(),
                    "node /: a property of \(length) bytes runs past the structure block")
        }
    }

    func testNodeCountAndDepthAreBounded() {
        let deep = (0...64).map { BlobBuilder.Token.begin("n\($0)") }
        refuses(BlobBuilder([.begin("")] + deep + Array(repeating: .end, count: 66)).build(),
                "node /" + (0...64).map { "n\($0)" }.joined(separator: "/") + " nests deeper than 64 levels")
        let many = (0..<65_536).flatMap { [BlobBuilder.Token.begin("n\($0)"), .end] }
        refuses(BlobBuilder([.begin("")] + many + [.end]).build(), "the tree has more than 65536 nodes")
    }

    /// dtc's own output passes unchanged, including a large overlay with thousands of siblings,
    /// whose every node the linear walk finds.
    func testDtcOutputPasses() throws {
        let siblings = (0..<3000).map { "dev@\(String($0, radix: 16)) { reg = <0 \($0) 0 1>; };" }.joined(separator: "\n")
        let blob = try Fixtures.compile("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; \(siblings) };")
        let tree = try DeviceTree(validating: blob)
        XCTAssertEqual(try tree.nodePaths().count, 3001)
        XCTAssertEqual(try tree.nodePaths(under: "/dev@bb7"), ["/dev@bb7"])
        XCTAssertEqual(tree.property("reg", of: "/dev@bb7")?.deviceTreeCells, [0, 2999, 0, 1])
    }
}
