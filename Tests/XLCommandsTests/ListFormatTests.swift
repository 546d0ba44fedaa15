// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl list -v`, `-Z`, `-c`, `-n` and `-l` against upstream's `list_domains` printf formats, through the C library's
/// own printf.
final class ListFormatTests: XCTestCase {
    private func printf(_ format: String, _ arguments: [CVarArg]) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// C strings for printf's `%s`; the few bytes are left to the end of the test process.
    private func strings(_ texts: String...) -> [CVarArg] { texts.map { strdup($0)! } }

    /// The base columns of a row, as upstream's `"%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f"`.
    private func base(_ name: String, _ id: Int32, _ memoryMiB: UInt, _ vcpus: Int32, _ state: String) -> String {
        name.withCString { cName in
            printf("%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", [cName, id, memoryMiB, vcpus] + Array(state.utf8).map { CInt($0) } + [0.0])
        }
    }

    private func uuid(_ xl: XLRunner) throws -> String {
        let vm = try xl.withHost { try $0.xenstore.readString("/local/domain/1/vm") }
        return String(try XCTUnwrap(vm?.split(separator: "/").last))
    }

    private let header = "Name                                        ID   Mem VCPUs\tState\tTime(s)"
    private let zeros = "00000000-0000-0000-0000-000000000000"

    func testVerboseAddsUUIDReasonAndLabel() throws {
        let xl = try ShutdownCommandTests.host()
        let guest = try uuid(xl)
        let lines = xl("list", "-v").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            header + "   UUID                            Reason-Code\tSecurity Label",
            base("Domain-0", 0, 1024, 4, "r-----") + printf(" %s %8s %16s", strings(zeros, "-", "-")),
            base("g", 1, 64, 1, "r-----") + printf(" %s %8s %16s", strings(guest, "-", "-")),
        ])
        XCTAssertEqual(xl("list", "--verbose").stdout, lines.joined(separator: "\n") + "\n")
        // A shut-down guest: its reason code in hex (reboot, 1).
        XCTAssertEqual(xl("reboot", "g").status, 0)
        let rows = xl("list", "-v", "g").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.last, base("g", 1, 64, 1, "---sr-") + printf(" %s %8x %16s", [strings(guest)[0], CUnsignedInt(1), strings("-")[0]]))
    }

    func testContextCpupoolAndNuma() throws {
        let xl = try ShutdownCommandTests.host()
        let context = xl("list", "-Z").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(context.first, header + "   Security Label")
        XCTAssertEqual(context.last, base("g", 1, 64, 1, "r-----") + printf(" %16s", strings("-")))
        XCTAssertEqual(xl("list", "-Z", "-v").stdout.split(separator: "\n").first.map(String.init),
                       header + "   UUID                            Reason-Code\tSecurity Label", "-v's header covers -Z")
        let pools = xl("list", "-c").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(pools, [header + "         Cpupool", base("Domain-0", 0, 1024, 4, "r-----") + printf("%16s", strings("Pool-0")),
                               base("g", 1, 64, 1, "r-----") + printf("%16s", strings("Pool-0"))])
        let numa = xl("list", "--numa", "g").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(numa, [header + " NODE Affinity", base("g", 1, 64, 1, "r-----") + " all"])
        // Every column at once, in upstream's order.
        let all = xl("list", "-v", "-c", "-n", "g").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(all, [header + "   UUID                            Reason-Code\tSecurity Label         Cpupool NODE Affinity",
                             base("g", 1, 64, 1, "r-----") + printf(" %s %8s %16s%16s all", strings(try uuid(xl), "-", "-", "Pool-0"))])
    }

    func testLongIsUpstreamsYajlShapeWithTheRecordInItsKeyOrder() throws {
        let xl = try ShutdownCommandTests.host()
        let file = xl.directory + "/var/lib/xen/userdata-d.1.\(try uuid(xl)).libxl-json"
        let record = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: file)).dropLast(), as: UTF8.self)
        let nested = record.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 || $0.element.isEmpty ? String($0.element) : "        " + $0.element }.joined(separator: "\n")
        XCTAssertEqual(xl("list", "-l").stdout, "[\n    {\n        \"domid\": 1,\n        \"config\": " + nested + "\n    }\n]\n\n")
        // The current name, in the record's place for it (xl rename changes it after the record was written).
        XCTAssertEqual(xl("rename", "g", "h").status, 0)
        XCTAssertTrue(xl("list", "-l").stdout.contains("                \"type\": \"pvh\",\n                \"name\": \"h\",\n"))
    }

    func testLongLeavesOutDomainsWithoutARecord() throws {
        let xl = try ShutdownCommandTests.host()
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(xl("list", "-l").stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["domid"] as? Int }, [1], "dom0 has no config record")
        XCTAssertEqual(xl("list", "-l", "0").stdout, "[\n\n]\n\n", "yajl's empty array")
        let bad = xl("list", "-q")
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr.split(separator: "\n").first, "Unknown option '-q'")
    }
}
