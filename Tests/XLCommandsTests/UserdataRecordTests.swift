// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// The config record file libxl keeps for each domain (`userdata-d.<domid>.<uuid>.libxl-json`), in the simulated
/// host's `DIR/var/lib/xen`: written by create, removed by destroy, read by `list -l` whoever wrote it.
final class UserdataRecordTests: XCTestCase {
    private func files(_ xl: XLRunner) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: xl.directory + "/var/lib/xen")) ?? []).sorted()
    }

    private func uuid(_ xl: XLRunner, _ id: Int) throws -> String {
        let vm = try xl.withHost { try $0.xenstore.readString("/local/domain/\(id)/vm") }
        return String(try XCTUnwrap(vm?.split(separator: "/").last))
    }

    func testCreateWritesTheRecordAsLibxlDoes() throws {
        let xl = try ShutdownCommandTests.host()
        let uuid = try uuid(xl, 1)
        let name = "userdata-d.1.\(uuid).libxl-json"
        XCTAssertEqual(files(xl), [name], "the temporary userdata-n file was renamed")
        let path = xl.directory + "/var/lib/xen/" + name
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertEqual(bytes.last, 0, "libxl stores the JSON with its NUL")
        let text = String(decoding: bytes.dropLast(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\n    \"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \"g\",\n        \"uuid\": \"\(uuid)\""), text)
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual((record["b_info"] as? [String: Any])?["max_memkb"] as? Int, 65536)
        XCTAssertEqual(xl("destroy", "g").status, 0)
        XCTAssertEqual(files(xl), [], "destroy removes the record")
    }

    func testLibxlReadsTheRecordOfAPVHDomainWithDevices() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        let xl = try ShutdownCommandTests.host("vif = [ 'bridge=xenbr0' ]\n")
        let path = xl.directory + "/var/lib/xen/" + (try XCTUnwrap(files(xl).first))
        let reading = try LibxlRecordOracle().read(path)
        // libxl takes b_info's type from the record's "type.pvh" key: without it Debian's xl list -l aborts.
        XCTAssertEqual([reading.createType, reading.buildType], ["pvh", "pvh"], reading.json)
        XCTAssertTrue(reading.json.contains("\"bridge\": \"xenbr0\""), reading.json)
    }

    func testARelativeSimulatedHostDirectoryKeepsItsRecordsInside() throws {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let config = try xl.file("g.cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8))
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(xl.scratch.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        xl.environment["XL_SIMULATE"] = "host"
        xl.monitors = true
        let created = xl("create", config)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(files(xl).count, 1, "the record is under the relative directory, not under /")
        // The monitor runs from /: it was handed the host's absolute path, and its shutdown of the domain shows it.
        XCTAssertEqual(xl("shutdown", "-w", "g").status, 0)
        // The monitor removes the record just after the domain is gone.
        let deadline = Date().addingTimeInterval(10)
        while !files(xl).isEmpty, Date() < deadline { usleep(20_000) }
        XCTAssertEqual(files(xl), [], "the monitor found the domain gone and removed its record")
    }

    func testListLongReadsARecordFileUpstreamWrote() throws {
        let xl = try ShutdownCommandTests.host()
        let uuid = try uuid(xl, 1)
        // As upstream's toolstack leaves it: only the file, with content of its own.
        try xl.withHost { try $0.xenstore.remove("/libxl/1/libxl-json", in: nil) }
        let record = "{\n    \"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \"g\",\n        \"uuid\": \"\(uuid)\"\n    },\n    \"b_info\": {\n        \"max_vcpus\": 3\n    }\n}\n"
        try Data(record.utf8 + [0]).write(to: URL(fileURLWithPath: xl.directory + "/var/lib/xen/userdata-d.1.\(uuid).libxl-json"))
        let result = xl("list", "-l")
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["domid"] as? Int }, [1])
        XCTAssertEqual(((rows.first?["config"] as? [String: Any])?["b_info"] as? [String: Any])?["max_vcpus"] as? Int, 3)
        // Without the file or the xenstore copy the domain is left out.
        try FileManager.default.removeItem(atPath: xl.directory + "/var/lib/xen/userdata-d.1.\(uuid).libxl-json")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(xl("list", "-l").stdout.utf8)) as? [Any])?.count, 0)
    }

    func testAnUnwritableDirectoryFailsCreateAndUndoesIt() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("list").status, 0)
        try FileManager.default.createDirectory(atPath: xl.directory + "/var/lib", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: xl.directory + "/var/lib/xen"))
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let before = xl.snapshot()
        let result = xl("create", try xl.file("g.cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8)))
        XCTAssertEqual(result.status, 1)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("create g: step \"record the configuration in \(xl.directory)/var/lib/xen/userdata-d.1."), result.stderr)
        XCTAssertTrue(result.stderr.contains("ENOTDIR"), result.stderr)
        let domains = try xl.withHost { $0.hypervisor.state.domains.map(\.id.rawValue) }
        XCTAssertEqual(domains, [0], "the half-built domain was destroyed")
        XCTAssertEqual(xl.snapshot()["xenstore.json"], before["xenstore.json"])
    }
}
