// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenStoreClient

/// The device tree in the real C xenstored (`XENSTORED_PATH`): the same layout and permissions the in-file
/// store holds, read back with the daemon's own answers.
final class DeviceRealXenstoredTests: XCTestCase {
    func testAttachAndDetachInARealXenstored() throws {
        let (xl, daemon) = try XLRunner.onRealXenstored()
        defer { daemon.stop() }
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let created = xl("create", try xl.file("g.cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        let store = try LibXenStoreBackend(socketPath: daemon.socketPath)
        let before = try XenStoreDump.lines(store, "/").filter { !$0.hasPrefix("/libxl/1/device = ") }
        let attached = xl("network-attach", "g")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        let mac = try XCTUnwrap(try store.readString("/libxl/1/device/vif/0/mac"))
        let skip = ["/local/domain/1/device/vif = ", "/local/domain/0/backend/vif = ", "/local/domain/0/backend/vif/1 = ", "/libxl/1/device/vif = "]
        let tree = try ["/local/domain/1/device/vif", "/local/domain/0/backend/vif", "/libxl/1/device/vif"].flatMap {
            try XenStoreDump.lines(store, $0).filter { line in !skip.contains { line.hasPrefix($0) } }
        }.sorted()
        XCTAssertEqual(tree, NetworkDeviceCommandTests.expectedTree(mac: mac))
        XCTAssertFalse(FileManager.default.fileExists(atPath: xl.directory + "/xenstore.json"))
        let detached = xl("network-detach", "g", "0")
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try XenStoreDump.lines(store, "/").filter { !$0.hasPrefix("/libxl/1/device = ") }, before)
    }
}
