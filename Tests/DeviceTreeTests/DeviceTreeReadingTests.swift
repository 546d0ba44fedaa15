// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest

final class DeviceTreeReadingTests: XCTestCase {
    func testNodesAndPropertiesMatchFdtget() throws {
        let blob = try Fixtures.compile(Fixtures.base)
        let tree = try DeviceTree(validating: blob)
        XCTAssertEqual(try tree.children(of: "/soc"), try DeviceTreeTools.get(blob, ["-l", "/soc"]).split(separator: "\n").map(String.init))
        XCTAssertEqual(
            try tree.properties(of: "/soc/serial@1000").map(\.name),
            try DeviceTreeTools.get(blob, ["-p", "/soc/serial@1000"]).split(separator: "\n").map(String.init))
        let reg = try DeviceTreeTools.get(blob, ["-t", "x", "/soc/serial@1000", "reg"])
        XCTAssertEqual(tree.property("reg", of: "/soc/serial@1000")?.deviceTreeCells?.map { String($0, radix: 16) }.joined(separator: " "), reg)
        XCTAssertEqual(tree.property("compatible", of: "/soc/serial@1000")?.deviceTreeString, "ns16550a")
        XCTAssertTrue(try tree.nodePaths().contains("/passthrough"))
        XCTAssertNil(tree.property("nope", of: "/soc"))
        XCTAssertFalse(tree.hasNode("/soc/serial@2000"))
    }

    func testPhandlesResolveBothWays() throws {
        let tree = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        let phandle = try XCTUnwrap(tree.phandle(of: "/interrupt-controller@8000000"))
        XCTAssertEqual(tree.path(ofPhandle: phandle), "/interrupt-controller@8000000")
        XCTAssertEqual(tree.interruptParent(of: "/soc/serial@1000"), "/interrupt-controller@8000000")
        XCTAssertNil(tree.path(ofPhandle: 0xdead))
    }

    func testResourcesTranslateRangesAndDecodeGICInterrupts() throws {
        let tree = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        let uart = try tree.resources(of: "/soc/serial@1000")
        XCTAssertEqual(uart.mmio, [MMIORange(address: 0xf000_1000, size: 0x100)])
        XCTAssertEqual(uart.irqs, [37])
        XCTAssertFalse(uart.usesIOMMU)
        XCTAssertFalse(uart.passthrough)
    }

    func testMalformedBlobsAreRejectedWithTheirReason() throws {
        let blob = try Fixtures.compile(Fixtures.base)
        XCTAssertThrowsError(try DeviceTree(validating: [])) { XCTAssertTrue("\($0)".contains("bad magic")) }
        XCTAssertThrowsError(try DeviceTree(validating: Array("hello, this is not a device tree at all!!".utf8))) {
            XCTAssertTrue("\($0)".contains("bad magic"))
        }
        XCTAssertThrowsError(try DeviceTree(validating: blob + [0, 0, 0, 0])) { XCTAssertTrue("\($0)".contains("totalsize")) }
        XCTAssertThrowsError(try DeviceTree(validating: Array(blob.prefix(60)))) { XCTAssertTrue("\($0)".contains("totalsize")) }
        var corrupt = blob
        let structOffset = Int(UInt32(corrupt[8]) << 24 | UInt32(corrupt[9]) << 16 | UInt32(corrupt[10]) << 8 | UInt32(corrupt[11]))
        corrupt[structOffset + 3] = 0x7f
        XCTAssertThrowsError(try DeviceTree(validating: corrupt)) {
            XCTAssertEqual("\($0)", "not a valid flattened device tree: unknown token 0x7f at offset 0 of the structure block")
        }
    }

    func testEditsAreSeenByFdtget() throws {
        var tree = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        try tree.addNode("/passthrough/dev@0")
        try tree.setProperty("reg", .deviceTreeCells([0, 0x1000, 0, 0x100]), at: "/passthrough/dev@0")
        try tree.setProperty("compatible", .deviceTreeStrings(["a,b", "c"]), at: "/passthrough/dev@0")
        try tree.removeNode("/soc/serial@1000")
        XCTAssertEqual(try DeviceTreeTools.get(tree.bytes, ["-t", "x", "/passthrough/dev@0", "reg"]), "0 1000 0 100")
        XCTAssertEqual(try DeviceTreeTools.get(tree.bytes, ["/passthrough/dev@0", "compatible"]), "a,b c")
        XCTAssertEqual(try DeviceTreeTools.get(tree.bytes, ["-l", "/soc"]), "")
        XCTAssertThrowsError(try tree.addNode("/missing/child")) { XCTAssertTrue("\($0)".contains("/missing")) }
        XCTAssertNoThrow(try DeviceTree(validating: tree.bytes))
    }

    func testEmptyTreeGrowsPastItsFirstBuffer() throws {
        var tree = try DeviceTree.empty()
        for i in 0..<200 {
            try tree.addNode("/node@\(i)")
            try tree.setProperty("data", Array(repeating: UInt8(i & 0xff), count: 64), at: "/node@\(i)")
        }
        XCTAssertEqual(try tree.children(of: "/").count, 200)
        XCTAssertNoThrow(try DeviceTree(validating: tree.bytes))
    }

    func testDeepNestingIsRefusedBeforeAnyRecursiveWalk() throws {
        let open = (0..<100).map { "n\($0) { " }.joined()
        let close = String(repeating: "}; ", count: 100)
        let deep = try Fixtures.compile("/dts-v1/;\n/ { \(open)\(close)};")
        XCTAssertThrowsError(try DeviceTree(validating: deep)) {
            let path = "/" + (0...64).map { "n\($0)" }.joined(separator: "/")
            XCTAssertEqual("\($0)", "not a valid flattened device tree: node \(path) nests deeper than 64 levels")
        }
        let fine = (0..<64).map { "n\($0) { " }.joined() + String(repeating: "}; ", count: 64)
        XCTAssertNoThrow(try DeviceTree(validating: try Fixtures.compile("/dts-v1/;\n/ { \(fine)};")))
    }
}
