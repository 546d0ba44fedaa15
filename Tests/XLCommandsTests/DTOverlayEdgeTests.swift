// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenStoreClient

final class DTOverlayEdgeTests: XCTestCase {
    /// With XENSTORED_PATH, the simulated host keeps its xenstore in the real xenstored, so the
    /// real daemon sees the registry xl writes, with dom0-only permissions.
    func testRegistryLivesInARealXenstored() throws {
        let (xl, daemon) = try XLRunner.onRealXenstored()
        defer { daemon.stop() }
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        XCTAssertEqual(xl("dt-overlay", "attach", path, "Domain-0").status, 0)

        let store = try LibXenStoreBackend(socketPath: daemon.socketPath)
        let keys = try store.directory("/libxl/dt-overlay", in: nil)
        XCTAssertEqual(keys.count, 1)
        let base = "/libxl/dt-overlay/" + keys[0]
        XCTAssertEqual(try store.readString(base + "/nodes"), "/soc/ethernet@9100000")
        XCTAssertEqual(try store.readString(base + "/domain"), "0")
        XCTAssertEqual(try store.readString(base + "/irqs"), "72 73")
        XCTAssertEqual(try store.permissions("/libxl/dt-overlay", in: nil), [XenStorePermission(.none, .dom0)])
        XCTAssertFalse(FileManager.default.fileExists(atPath: xl.directory + "/xenstore.json"))

        XCTAssertEqual(xl("dt-overlay", "remove", path).status, 0)
        XCTAssertFalse(try store.exists("/libxl/dt-overlay"), "the last record takes the registry directory with it")
    }

    /// Xen's limit is 512000 bytes of blob: exactly that much is accepted, one byte more is not.
    func testOverlaySizeLimit() throws {
        let xl = try XLRunner()
        let source = OverlaySources.device()
        let directory = try DeviceTreeTools.scratch()
        let dts = directory.appendingPathComponent("big.dts")
        try source.write(to: dts, atomically: true, encoding: .utf8)
        for (size, status) in [(512_000, Int32(0)), (512_004, Int32(1))] {
            let output = directory.appendingPathComponent("big\(size).dtbo").path
            let dtc = Process()
            dtc.executableURL = URL(fileURLWithPath: "/usr/bin/dtc")
            dtc.arguments = ["-q", "-@", "-S", String(size), "-I", "dts", "-O", "dtb", "-o", output, dts.path]
            try dtc.run()
            dtc.waitUntilExit()
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int, size)
            let result = xl("dt-overlay", "add", output)
            XCTAssertEqual(result.status, status, "\(size) bytes: \(result.stderr)")
            if status == 1 {
                XCTAssertEqual(result.stderr, "\(output): \(size) bytes; Xen accepts overlays of at most 512000 bytes\n")
            }
        }
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays.map(\.blob.count) }, [512_000])
    }

    /// An overlay of 300 devices: its node list (about 7 KB) is more than xenstored takes in one value, so the
    /// record keeps it in numbered chunks, in the real daemon too; list shows every node, remove takes it all away.
    func testARecordLongerThanOneXenstoreValue() throws {
        let (xl, daemon) = try XLRunner.onRealXenstored()
        defer { daemon.stop() }
        let devices = (0..<300).map { index in
            let address = String(0x1000_0000 + index * 0x1000, radix: 16)
            return "            dev\(index)@\(address) { compatible = \"test,dev\"; reg = <0x0 0x\(address) 0x0 0x1000>; };"
        }
        let source = "/dts-v1/;\n/plugin/;\n/ {\n    fragment@0 {\n        target-path = \"/soc\";\n        __overlay__ {\n"
            + devices.joined(separator: "\n") + "\n        };\n    };\n};\n"
        let path = try xl.dtbo("many.dtbo", source)
        XCTAssertEqual(xl("dt-overlay", "list").status, 0, "the simulated host is made first")
        let store = try LibXenStoreBackend(socketPath: daemon.socketPath)
        let before = try XenStoreDump.lines(store, "/")
        let added = xl("dt-overlay", "add", path)
        XCTAssertEqual(added.status, 0, added.stderr)
        let key = try XCTUnwrap(try store.directory("/libxl/dt-overlay", in: nil).first)
        let chunks = try store.directory("/libxl/dt-overlay/\(key)/nodes", in: nil)
        XCTAssertEqual(Set(chunks), Set((0..<chunks.count).map(String.init)))
        XCTAssertGreaterThan(chunks.count, 2)
        let listed = xl("dt-overlay", "list", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        for index in [0, 150, 299] { XCTAssertTrue(listed.stdout.contains("/soc/dev\(index)@"), "device \(index) listed") }
        XCTAssertEqual(xl("dt-overlay", "remove", path).status, 0)
        XCTAssertEqual(try XenStoreDump.lines(store, "/"), before)
    }
}
