// SPDX-License-Identifier: Apache-2.0
import XCTest
import XLConfig
import XenTypes

/// xl's cpu-list syntax (upstream's `parse_cpurange`) and memory sizes (`parse_mem_size_kb`), with this xl's
/// stricter bounds.
final class CPUListTests: XCTestCase {
    private func cpus(_ text: String, count: Int = 8, nodes: [CPUSet]? = nil, allowEmpty: Bool = false) -> [Int]? {
        try? CPUList(text).resolve(cpuCount: count, nodes: nodes, allowEmpty: allowEmpty).cpus
    }

    private func reason(_ text: String, count: Int = 8) -> String? {
        do { _ = try CPUList(text).resolve(cpuCount: count); return nil } catch { return error.description }
    }

    func testItemsApplyFromLeftToRight() {
        XCTAssertEqual(cpus("3"), [3])
        XCTAssertEqual(cpus("2-5"), [2, 3, 4, 5])
        XCTAssertEqual(cpus("2-5,^3"), [2, 4, 5])
        XCTAssertEqual(cpus("0-5,^3,3"), [0, 1, 2, 3, 4, 5], "a later item adds back what an earlier took out")
        XCTAssertEqual(cpus("all"), Array(0..<8))
        XCTAssertEqual(cpus("all,^0-1"), Array(2..<8))
        XCTAssertEqual(cpus("1,1,1"), [1])
        XCTAssertEqual(cpus("5-5"), [5])
        XCTAssertEqual(cpus("^3", allowEmpty: true), [], "taking from nothing leaves nothing")
    }

    func testNodesTakeTheirCPUs() {
        XCTAssertEqual(cpus("nodes:0"), Array(0..<8), "one node on ARM: every CPU")
        XCTAssertEqual(cpus("node:0"), Array(0..<8))
        let nodes = [CPUSet([0, 1]), CPUSet([2, 3])]
        XCTAssertEqual(cpus("nodes:1", count: 4, nodes: nodes), [2, 3])
        XCTAssertEqual(cpus("nodes:0-1,^nodes:0", count: 4, nodes: nodes), [2, 3])
        XCTAssertEqual(cpus("nodes:0-1,^1", count: 4, nodes: nodes), [0, 2, 3])
    }

    func testEveryMistakeIsNamed() {
        XCTAssertEqual(reason("9"), "cpu-list \"9\": CPU 9 does not exist: this host has CPUs 0 to 7")
        XCTAssertEqual(reason("0", count: 1), nil)
        XCTAssertEqual(reason("6-12"), "cpu-list \"6-12\": CPU 8 does not exist: this host has CPUs 0 to 7")
        XCTAssertEqual(reason("2", count: 1), "cpu-list \"2\": CPU 2 does not exist: this host has only CPU 0")
        XCTAssertEqual(reason("nodes:1"), "cpu-list \"nodes:1\": node 1 does not exist: this host has only node 0")
        XCTAssertEqual(reason("^all"), "cpu-list \"^all\": \"^\" cannot go with \"all\"")
        XCTAssertEqual(reason("^1"), "cpu-list \"^1\": leaves no CPU")
        XCTAssertEqual(reason(""), "cpu-list \"\": an empty list; \(CPUList.syntax)")
        for bad in ["5-2", "a", "1,", ",1", "1-", "-1", "+1", " 1", "1 ", "0x1", "1.5", "1--2", "^", "nodes:", "all1", "１"] {
            let message = reason(bad)
            XCTAssertNotNil(message, bad)
            XCTAssertTrue(message?.hasPrefix("cpu-list \(bad.debugDescription): ") == true, "\(bad): \(message ?? "")")
        }
        XCTAssertNotNil(reason("99999999999999999999"), "a number too large for any host")
        XCTAssertNotNil(reason(String(repeating: "1,", count: 2000) + "1"), "too many items")
    }

    func testMemorySizesAreUpstreamsUnits() {
        XCTAssertEqual(MemorySize("512")?.kib, 512 * 1024, "no unit is MiB")
        XCTAssertEqual(MemorySize("512m")?.kib, 512 * 1024)
        XCTAssertEqual(MemorySize("512M")?.kib, 512 * 1024)
        XCTAssertEqual(MemorySize("2g")?.kib, 2 * 1024 * 1024)
        XCTAssertEqual(MemorySize("1t")?.kib, 1 << 30)
        XCTAssertEqual(MemorySize("300k")?.kib, 300)
        XCTAssertEqual(MemorySize("4096b")?.kib, 4)
        XCTAssertEqual(MemorySize("1023b")?.kib, 0, "bytes round down, as upstream")
        XCTAssertEqual(MemorySize("0")?.kib, 0)
        for bad in ["", "m", "-1", "+1", "1 m", "1mb", "1x", "0x10", "1.5g", "99999999t", "１m"] {
            XCTAssertNil(MemorySize(bad), bad)
        }
    }
}
