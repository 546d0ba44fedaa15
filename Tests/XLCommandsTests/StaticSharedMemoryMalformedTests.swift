// SPDX-License-Identifier: Apache-2.0
import Foundation
import XCTest

/// Every malformed `static_shm` spec fails `xl create` with its own one-line message and leaves the host as it was.
final class StaticSharedMemoryMalformedTests: XCTestCase {
    /// `(static_shm list, extra config lines, the message expected after "static_shm[N]...: ")`.
    static let cases: [(list: String, extra: String, message: String)] = {
        let b = "begin=0x60000000, size=0x1000"
        let long = String(repeating: "L", count: 129)
        let many = (0..<33).map { "\"id=r\($0), begin=0x\(String(0x6000_0000 + $0 * 0x1000, radix: 16)), size=0x1000\"" }.joined(separator: ", ")
        return [
            // The spec's syntax.
            ("[ \"\" ]", "", "static_shm[0]: id: required: name the region, as in id=ID1"),
            ("[ \"id=, \(b)\" ]", "", "static_shm[0]: id: expected a value after '='"),
            ("[ \"id=A begin=0x60000000, size=0x1000\" ]", "", "static_shm[0]: id: \"A begin=0x60000000\" is not a value: values are letters, digits and _"),
            ("[ \"id=A,, \(b)\" ]", "", "static_shm[0] id=A: expected KEY=VALUE between commas, found an empty entry"),
            ("[ \"id=A, begin, size=0x1000\" ]", "", "static_shm[0] id=A: expected KEY=VALUE, found \"begin\""),
            ("[ \"id=A, start=0x60000000, size=0x1000\" ]", "", "static_shm[0] id=A: unknown key \"start\" in \"start=0x60000000\""),
            ("[ \"id=A, \(b), begin=0x61000000\" ]", "", "static_shm[0] id=A: begin: given twice; each key may appear once in a spec"),
            ("[ \"id=A, \(b), size=0x1000\" ]", "", "static_shm[0] id=A: size: given twice; each key may appear once in a spec"),
            ("[ \"id=\(long), \(b)\" ]", "", "static_shm[0]: id: is 129 characters long; at most 128"),
            ("[ \"id=A-B, \(b)\" ]", "", "static_shm[0]: id: \"A-B\" is not a value: values are letters, digits and _"),
            ("[ \"id=A, size=0x1000\" ]", "", "static_shm[0] id=A: begin: required: the region's guest physical address, as in begin=0x60000000"),
            ("[ \"id=A, begin=0x60000000\" ]", "", "static_shm[0] id=A: size: required: the region's size in bytes, as in size=0x100000"),
            // Numbers.
            ("[ \"id=A, begin=0x6000000g, size=0x1000\" ]", "", "static_shm[0] id=A: begin: expected a decimal number or 0x and hexadecimal digits, found \"0x6000000g\""),
            ("[ \"id=A, begin=0X60000000, size=0x1000\" ]", "", "static_shm[0] id=A: begin: expected a decimal number or 0x and hexadecimal digits, found \"0X60000000\""),
            ("[ \"id=A, begin=0x60000000, size=0x\" ]", "", "static_shm[0] id=A: size: expected a decimal number or 0x and hexadecimal digits, found \"0x\""),
            ("[ \"id=A, begin=18446744073709551616, size=0x1000\" ]", "", "static_shm[0] id=A: begin: 18446744073709551616 is larger than 2^64 - 1"),
            ("[ \"id=A, begin=0x60000000, size=0x10000000000000000\" ]", "", "static_shm[0] id=A: size: 0x10000000000000000 is larger than 2^64 - 1"),
            ("[ \"id=A, begin=0x60000800, size=0x1000\" ]", "", "static_shm[0] id=A: begin: 0x60000800 is not a multiple of 4 KiB (0x1000)"),
            ("[ \"id=A, begin=0x60000000, size=0x1800\" ]", "", "static_shm[0] id=A: size: 0x1800 is not a multiple of 4 KiB (0x1000)"),
            ("[ \"id=A, offset=2048, \(b)\" ]", "", "static_shm[0] id=A: offset: 0x800 is not a multiple of 4 KiB (0x1000)"),
            ("[ \"id=A, begin=0x60000000, size=0\" ]", "", "static_shm[0] id=A: size: must not be zero"),
            ("[ \"id=A, begin=0xfffffffffffff000, size=0x2000\" ]", "", "static_shm[0] id=A: size: begin 0xfffffffffffff000 + size 0x2000 wraps past 2^64"),
            ("[ \"id=A, begin=0x10000000000000, size=0x1000\" ]", "",
             "static_shm[0] id=A: size: the region 0x10000000000000-0x10000000000fff ends above 0x10000000000000, beyond 52-bit guest physical addresses"),
            ("[ \"id=A, offset=0xfffffffffffff000, begin=0x60000000, size=0x2000\" ]", "", "static_shm[0] id=A: offset: offset 0xfffffffffffff000 + size 0x2000 wraps past 2^64"),
            // Roles, permissions and cache policies.
            ("[ \"id=A, \(b), role=master\" ]", "", "static_shm[0] id=A: role: expected owner or borrower, found \"master\""),
            ("[ \"id=A, \(b), prot=ro\" ]", "", "static_shm[0] id=A: prot: expected rw, the only permission static shared memory has, found \"ro\""),
            ("[ \"id=A, \(b), cache_policy=ARM_normal\" ]", "", "static_shm[0] id=A: cache_policy: only an owner sets a cache policy (role=owner)"),
            ("[ \"id=A, begin=0x40000000, size=0x1000, role=owner, cache_policy=x86_normal\" ]", "",
             "static_shm[0] id=A: cache_policy: x86_normal is for x86 guests; ARM guests take ARM_normal (the default)"),
            ("[ \"id=A, begin=0x40000000, size=0x1000, role=owner, cache_policy=fast\" ]", "", "static_shm[0] id=A: cache_policy: expected ARM_normal, found \"fast\""),
            ("[ \"id=A, begin=0x40000000, size=0x1000, role=owner, offset=0\" ]", "", "static_shm[0] id=A: offset: only a borrower maps from an offset"),
            // The list.
            ("\"id=A, \(b)\"", "", "static_shm: expected a list such as [ \"id=ID1, begin=0x40000000, size=0x100000, role=owner\" ], found a single value"),
            ("[ [ \"id=A, \(b)\" ] ]", "", "static_shm: expected single values in the list, found a nested list"),
            ("[ \(many) ]", "", "static_shm: lists 33 regions; at most 32"),
            ("[ \"id=A, \(b)\", \"id=A, begin=0x61000000, size=0x1000\" ]", "", "static_shm[1] id=A: id: A is also static_shm[0]; each id may appear once in a file"),
            ("[ \"id=A, begin=0x60000000, size=0x2000\", \"id=B, begin=0x60001000, size=0x1000\" ]", "",
             "static_shm[1] id=B: begin: 0x60001000-0x60001fff overlaps static_shm[0] id=A at 0x60000000-0x60001fff"),
            // The guest's memory map.
            ("[ \"id=A, begin=0x60000000, size=0x1000, role=owner\" ]", "", "static_shm[0] id=A: begin: the owner's region 0x60000000-0x60000fff is not inside its RAM"),
            ("[ \"id=A, begin=0x47fff000, size=0x2000, role=owner\" ]", "", "static_shm[0] id=A: begin: the owner's region 0x47fff000-0x48000fff is not inside its RAM"),
            ("[ \"id=ID1, begin=0x47000000, size=0x1000\" ]", "",
             "static_shm[0] id=ID1: begin: the borrowed region 0x47000000-0x47000fff overlaps the guest's RAM 0x40000000-0x47ffffff (maxmem = 128)"),
            ("[ \"id=ID1, begin=0x60000000, size=0x1000\" ]", "maxmem = 2048",
             "static_shm[0] id=ID1: begin: the borrowed region 0x60000000-0x60000fff overlaps the guest's RAM 0x40000000-0xbfffffff (maxmem = 2048)"),
            ("[ \"id=ID1, begin=0x3000000, size=0x100000\" ]", "", "static_shm[0] id=ID1: begin: the borrowed region 0x3000000-0x30fffff overlaps the GIC"),
            ("[ \"id=ID1, begin=0x22000000, size=0x1000\" ]", "", "static_shm[0] id=ID1: begin: the borrowed region 0x22000000-0x22000fff overlaps the vpl011 console"),
            ("[ \"id=ID1, begin=0x38000000, size=0x1000\" ]", "", "static_shm[0] id=ID1: begin: the borrowed region 0x38000000-0x38000fff overlaps the grant table"),
            ("[ \"id=ID1, begin=0x39000000, size=0x1000\" ]", "", "static_shm[0] id=ID1: begin: the borrowed region 0x39000000-0x39000fff overlaps the magic pages"),
            ("[ \"id=ID1, begin=0x70000000, size=0x4000\" ]", "iomem = [ \"0x9010,1@0x70002\" ]",
             "static_shm[0] id=ID1: begin: the region 0x70000000-0x70003fff overlaps iomem \"0x9010,1@0x70002\" mapped at 0x70002000-0x70002fff"),
            // What only the running system can tell: xenstore's records and the owner's region.
            ("[ \"id=ID1, begin=0x40000000, size=0x1000, role=owner\" ]", "", "static_shm[0] id=ID1: id: region ID1 already has an owner, domain 1 (vm1); a region has one owner"),
            ("[ \"id=NOPE, begin=0x60000000, size=0x1000\" ]", "", "static_shm[0] id=NOPE: id: region NOPE has no owner"),
            ("[ \"id=ID1, offset=0x100000, begin=0x60000000, size=0x1000\" ]", "",
             "static_shm[0] id=ID1: size: offset 0x100000 + size 0x1000 exceeds the owner's region ID1 of size 0x100000 (domain 1 (vm1))"),
            ("[ \"id=ID2, begin=0x60000000, size=0x100000\", \"id=NOPE, begin=0x60100000, size=0x1000\" ]", "",
             "static_shm[1] id=NOPE: id: region NOPE has no owner"),
        ]
    }()

    func testEveryMalformedSpecFailsWithItsOwnMessageAndLeavesNoState() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 30)
        XCTAssertEqual(Set(Self.cases.map(\.message)).count, Self.cases.count, "each case has its own message")
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let owner = try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: StaticSharedMemoryFixtures.arm["vm1"] ?? [])
        XCTAssertEqual(xl("create", owner).status, 0)
        for (index, entry) in Self.cases.enumerated() {
            let text = """
                name = "t\(index)"
                kernel = "\(kernel)"
                memory = 128
                static_shm = \(entry.list)
                \(entry.extra)
                """
            let path = try xl.file("t\(index).cfg", Array(text.utf8))
            let before = try xl.traces()
            let result = xl("create", path)
            XCTAssertEqual(result.status, 1, "case \(index): \(entry.message)")
            XCTAssertTrue(result.stderr.contains(entry.message), "case \(index): \(result.stderr)")
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "case \(index): one line")
            XCTAssertTrue(result.stderr.contains("t\(index).cfg:"), "case \(index) names the file: \(result.stderr)")
            XCTAssertEqual(try xl.traces(), before, "case \(index) left state behind")
        }
    }
}
