// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenStoreClient

/// The device commands and `xl create` with XLConfig's vif and disk spec parsers: specs in upstream's syntax
/// reach the devices, a bad spec is one line naming it and changes nothing.
final class DeviceSpecCommandTests: XCTestCase {
    func testSpecsAtAttachAndAtCreate() throws {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let image = try xl.file("root.img", Array(repeating: 0, count: 65536))
        let config = "name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n"
            + "disk = [ \"format=raw, vdev=xvda, access=rw, target=\(image)\" ]\nvif = [ \"bridge=xenbr0,mac=00:16:3e:00:00:01\", \"bridge=xenbr0\" ]\n"
        let created = xl("create", try xl.file("g.cfg", Array(config.utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vif/1/0/mac") }, "00:16:3e:00:00:01")
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vbd/1/51712/params") }, image)
        // The second interface's MAC was chosen before the record was written: both say the same.
        let mac = try XCTUnwrap(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vif/1/1/mac") })
        let record = try XCTUnwrap(try xl.withHost { try $0.xenstore.readString("/libxl/1/libxl-json") })
        XCTAssertTrue(record.contains("\"devid\":1,\"mac\":\"\(mac)\""), record)
        // The guest runs after create: both connected once its drivers ran.
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vif/1/0/state") }, "4")
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vbd/1/51712/state") }, "4")

        XCTAssertEqual(xl("network-attach", "g", "type=vif", "mac=00:16:3e:00:00:02", "ip=192.168.0.2").status, 0)
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vif/1/2/ip") }, "192.168.0.2")
        let attached = xl("block-attach", "g", "format=raw, vdev=xvdb, access=ro, target=\(image)")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vbd/1/51728/mode") }, "r")

        let before = xl.snapshot()
        let bad = xl("network-attach", "g", "mac=zz")
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr.filter { $0 == "\n" }.count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("network-attach g: vif \"mac=zz\": mac:"), bad.stderr)
        XCTAssertEqual(xl.snapshot(), before)
        XCTAssertEqual(xl("network-detach", "g", "00:16:3e:00:00:02").status, 0)
        XCTAssertEqual(xl("block-detach", "g", "xvdb").status, 0)
        XCTAssertEqual(xl("destroy", "g").status, 0)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.devices }, nil)
    }
}
