// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// How the simulated host keeps its state: blobs as base64 in `host.json`, no write for a command that changes
/// nothing, and hosts saved before (blobs as arrays of numbers) still open.
final class SimulatorStorageTests: XCTestCase {
    /// An overlay of `count` devices under `/soc`, each with its own page of MMIO.
    private func manyDevices(_ xl: XLRunner, count: Int) throws -> String {
        let devices = (0..<count).map { index in
            let address = String(0x1000_0000 + index * 0x1000, radix: 16)
            return "            dev\(index)@\(address) { compatible = \"test,dev\"; reg = <0x0 0x\(address) 0x0 0x1000>; };"
        }
        let source = "/dts-v1/;\n/plugin/;\n/ {\n    fragment@0 {\n        target-path = \"/soc\";\n        __overlay__ {\n"
            + devices.joined(separator: "\n") + "\n        };\n    };\n};\n"
        return try xl.dtbo("many.dtbo", source)
    }

    private func hostJSON(_ xl: XLRunner) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: xl.directory + "/host.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try XCTUnwrap((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
    }

    func testAnOverlayOf2000DevicesAddsListsAttachesAndRemoves() throws {
        let xl = try XLRunner()
        let path = try manyDevices(xl, count: 2000)
        let added = xl("dt-overlay", "add", path)
        XCTAssertEqual(added.status, 0, added.stderr)
        let listed = xl("dt-overlay", "list")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        for index in [0, 1000, 1999] { XCTAssertTrue(listed.stdout.contains("/soc/dev\(index)@"), "device \(index) listed") }
        let attached = xl("dt-overlay", "attach", path, "0")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        let overlays = try XCTUnwrap(try hostJSON(xl)["overlays"] as? [[String: Any]])
        XCTAssertEqual((overlays.first?["frames"] as? [Any])?.count, 2000, "every device's page is mapped")
        let blob = try XCTUnwrap(overlays.first?["blob"] as? String, "the blob is one base64 string")
        XCTAssertEqual(Data(base64Encoded: blob), try Data(contentsOf: URL(fileURLWithPath: path)))
        let removed = xl("dt-overlay", "remove", path)
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual((try hostJSON(xl)["overlays"] as? [Any])?.count, 0)
        XCTAssertEqual(xl("dt-overlay", "list").stdout, "")
    }

    func testACommandThatChangesNothingDoesNotRewriteTheHost() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        let file = xl.directory + "/host.json"
        let before = try inode(file)
        for command in [["dt-overlay", "list"], ["list"], ["info"], ["dt-overlay", "attach", path, "nobody"]] {
            _ = xl.run(command)
            XCTAssertEqual(try inode(file), before, "\(command.joined(separator: " ")) rewrote host.json")
        }
        XCTAssertEqual(xl("dt-overlay", "remove", path).status, 0)
        XCTAssertNotEqual(try inode(file), before, "a remove saves the host")
    }

    func testAHostSavedWithBlobsAsNumbersStillOpens() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        // Rewrite host.json as an earlier xl saved it: every blob an array of byte values.
        var state = try hostJSON(xl)
        func numbers(_ value: Any?) -> Any { Array(Data(base64Encoded: value as? String ?? "") ?? Data()).map { Int($0) } }
        state["bootTree"] = numbers(state["bootTree"])
        state["hostTree"] = numbers(state["hostTree"])
        var overlays = try XCTUnwrap(state["overlays"] as? [[String: Any]])
        overlays[0]["blob"] = numbers(overlays[0]["blob"])
        state["overlays"] = overlays
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: xl.directory + "/host.json"))
        // And xenstore.json with every node value an array of byte values.
        let storeURL = URL(fileURLWithPath: xl.directory + "/xenstore.json")
        var store = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: storeURL)) as? [String: Any])
        var nodes = try XCTUnwrap(store["nodes"] as? [String: [String: Any]])
        XCTAssertEqual(nodes["/local/domain/0/name"]?["value"] as? String, Data("Domain-0".utf8).base64EncodedString())
        for (path, node) in nodes { nodes[path]?["value"] = numbers(node["value"]) }
        store["nodes"] = nodes
        try JSONSerialization.data(withJSONObject: store).write(to: storeURL)
        XCTAssertEqual(xl("list").stdout.split(separator: "\n").dropFirst().first?.hasPrefix("Domain-0 "), true)
        XCTAssertTrue(xl("dt-overlay", "list").stdout.contains("ethernet@9100000"))
        let removed = xl("dt-overlay", "remove", path)
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual((try hostJSON(xl)["hostTree"] as? String).flatMap { Data(base64Encoded: $0) }?.isEmpty, false,
            "saved again in the new form")
    }
}
