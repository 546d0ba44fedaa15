// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl vcpu-list`, `vcpu-pin`, `vcpu-set`, `mem-max` and `mem-set` on a simulated host: upstream's printf formats
/// (through the C library's printf), the state they change, and refusals that change nothing.
final class CPUCommandTests: XCTestCase {
    private func printf(_ format: String, _ arguments: [CVarArg]) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One `vcpu-list` row as upstream's `print_vcpuinfo` prints an online vCPU (time 0.0).
    private func row(_ name: String, _ domid: UInt32, _ vcpu: UInt32, cpu: UInt32, _ r: Character, _ b: Character, _ affinity: String) -> String {
        name.withCString { cName in
            printf("%-32s %5u %5u", [cName, domid, vcpu]) + printf("%5u %3c%c- ", [cpu, CInt(r.asciiValue!), CInt(b.asciiValue!)])
                + printf("%9.1f  ", [0.0]) + affinity
        }
    }

    /// C strings for printf's `%s`; the few bytes are left to the end of the test process.
    private func strings(_ texts: [String]) -> [CVarArg] { texts.map { strdup($0)! } }

    private var header: String {
        printf("%-32s %5s %5s %5s %5s %9s %s", strings(["Name", "ID", "VCPU", "CPU", "State", "Time(s)", "Affinity (Hard / Soft)"]))
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], status: Int32 = 1, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    private func node(_ xl: XLRunner, _ path: String) throws -> String? {
        try xl.withHost { try $0.xenstore.readString(path) }
    }

    func testVCPUListPrintsUpstreamsColumns() throws {
        let xl = try ShutdownCommandTests.host()
        let result = xl("vcpu-list")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").map(String.init), [header] + (0..<4).map {
            row("Domain-0", 0, UInt32($0), cpu: UInt32($0), "r", "-", "all / all")
        } + [row("g", 1, 0, cpu: 0, "r", "-", "all / all")])
        XCTAssertEqual(xl("vcpu-list", "g").stdout, [header, row("g", 1, 0, cpu: 0, "r", "-", "all / all")].joined(separator: "\n") + "\n")
        refuses(xl, ["vcpu-list", "nosuch"], "vcpu-list nosuch: nosuch is not the name or id of any domain")
    }

    func testVCPUPinSetsAffinitiesAndRefusesWithoutChange() throws {
        let xl = try ShutdownCommandTests.host()
        XCTAssertEqual(xl("vcpu-pin", "g", "0", "1-3,^2", "2").status, 0)
        XCTAssertEqual(xl("vcpu-list", "g").stdout.split(separator: "\n").last.map(String.init), row("g", 1, 0, cpu: 1, "r", "-", "1,3 / 2"))
        XCTAssertEqual(xl("vcpu-pin", "g", "all", "-", "all").status, 0, "- leaves the hard affinity")
        XCTAssertEqual(xl("vcpu-list", "g").stdout.split(separator: "\n").last.map(String.init), row("g", 1, 0, cpu: 1, "r", "-", "1,3 / all"))
        XCTAssertEqual(xl("-N", "vcpu-pin", "0", "3", "0-1", "^0,all").stdout, "cpumap: 0-1 all\n", "upstream's dry-run line")
        XCTAssertEqual(xl("-N", "vcpu-pin", "0", "3", "-").stdout, "cpumap: -\n")
        refuses(xl, ["vcpu-pin", "g", "1", "0"], "vcpu-pin g 1: domain 1 has vCPUs 0 to 0")
        refuses(xl, ["vcpu-pin", "g", "x", "0"], "vcpu-pin g x: the vCPU must be a number or all")
        refuses(xl, ["vcpu-pin", "-f", "g", "all", "0"], "vcpu-pin g all: -f applies to one vCPU, not to all")
        refuses(xl, ["vcpu-pin", "g", "0", "4"], "vcpu-pin g 0: hard affinity: cpu-list \"4\": CPU 4 does not exist: this host has CPUs 0 to 3")
        refuses(xl, ["vcpu-pin", "g", "0", "0", "0-"], "vcpu-pin g 0: soft affinity: cpu-list \"0-\": \"0-\" is not a CPU, a range N-M, nodes:N or all; a list is items such as 3, 2-5, ^4, nodes:0 or all, separated by commas")
        refuses(xl, ["vcpu-pin", "g"], status: 2, "Missing expected argument '<VCPU>'")
    }

    func testVCPUPinOfAllPutsBackWhatItChangedWhenOneFails() throws {
        let xl = try ShutdownCommandTests.host()
        // Pool-0 loses CPUs 2 and 3 to a new pool: a hard affinity of only those has no CPU of dom0's pool.
        XCTAssertEqual(xl("cpupool-cpu-remove", "Pool-0", "2-3").status, 0)
        XCTAssertEqual(xl("vcpu-pin", "0", "1", "1").status, 0)
        let before = xl.snapshot()
        let result = xl("vcpu-pin", "0", "all", "2-3")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "vcpu-pin 0 all: vCPU 0: XEN_DOMCTL_setvcpuaffinity returned EINVAL (Invalid argument): the hard affinity has no CPU of the domain's cpupool (xl cpupool-list -c)\n")
        XCTAssertEqual(xl.snapshot(), before)
        XCTAssertEqual(xl("vcpu-pin", "0", "all", "1-3").status, 0, "CPUs outside the pool may be in the affinity")
        let rows = xl("vcpu-list", "0").stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").suffix(3).joined(separator: " ") }
        XCTAssertEqual(rows, Array(repeating: "1-3 / all", count: 4))
    }

    func testVCPUSetWritesEachVCPUsAvailability() throws {
        let xl = try ShutdownCommandTests.host()
        XCTAssertEqual(xl("vcpu-set", "0", "2").status, 0)
        XCTAssertEqual(try (0..<4).map { try node(xl, "/local/domain/0/cpu/\($0)/availability") }, ["online", "online", "offline", "offline"])
        XCTAssertEqual(xl("-N", "vcpu-set", "0", "3").stdout, "dry run: would set /local/domain/0/cpu/0-3/availability: vCPUs 0 to 2 online\n")
        refuses(xl, ["vcpu-set", "g", "2"], "vcpu-set g 2: domain 1 can have at most 1 vCPU (maxvcpus in its config)")
        refuses(xl, ["vcpu-set", "g", "0"], "vcpu-set g 0: a domain needs at least one vCPU")
        refuses(xl, ["vcpu-set", "g", "-1"], status: 2, "Missing expected argument '<COUNT>'")
        refuses(xl, ["vcpu-set", "g", "two"], "vcpu-set g two: the count must be a number of vCPUs")
        refuses(xl, ["vcpu-set", "0", "5"], "vcpu-set 0 5: domain 0 can have at most 4 vCPUs (maxvcpus in its config)")
    }

    func testMemSetMovesTheTargetAndTheMaximum() throws {
        let xl = try ShutdownCommandTests.host("maxmem = 128\n")
        XCTAssertEqual(try node(xl, "/local/domain/1/memory/static-max"), "131072")
        XCTAssertEqual(xl("mem-set", "g", "96m").status, 0)
        XCTAssertEqual(try node(xl, "/local/domain/1/memory/target"), "98304")
        let vm = try XCTUnwrap(try node(xl, "/local/domain/1/vm"))
        XCTAssertEqual(try node(xl, vm + "/memory"), "96")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains[1].guest?.maxMemoryKiB }, 98304 + 1024, "target plus libxl's 1 MiB")
        refuses(xl, ["mem-set", "g", "129m"], "mem-set g 129m: above the domain's maximum of 131072 KiB (xl mem-max it higher first)")
        refuses(xl, ["mem-set", "g", "lots"], "mem-set g lots: not a memory size: a number with an optional unit b, k, m, g or t (MiB without one), such as 512m or 2g")
        refuses(xl, ["mem-max", "g", "64m"], "mem-max g 64m: below the domain's memory target of 98304 KiB (xl mem-set it lower first)")
        XCTAssertEqual(xl("mem-max", "g", "1g").status, 0)
        XCTAssertEqual(try node(xl, "/local/domain/1/memory/static-max"), "1048576")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains[1].guest?.maxMemoryKiB }, 1_048_576 + 1024)
        XCTAssertEqual(xl("mem-set", "g", "512m").status, 0)
        XCTAssertEqual(try node(xl, "/local/domain/1/memory/target"), "524288")
    }

    func testMemSetOfDom0FillsItsNodesAsLibxl() throws {
        let xl = try XLRunner()
        XCTAssertNil(try node(xl, "/local/domain/0/memory/target"))
        refuses(xl, ["mem-set", "0", "64m"], "mem-set 0 64m: dom0 needs at least 131072 KiB")
        XCTAssertEqual(xl("mem-set", "0", "512m").status, 0)
        XCTAssertEqual(try node(xl, "/local/domain/0/memory/target"), "524288")
        XCTAssertEqual(try node(xl, "/local/domain/0/memory/static-max"), "1048576")
    }

    func testAGuestWrittenMemoryNodeIsCheckedBeforeUse() throws {
        let xl = try ShutdownCommandTests.host()
        try xl.withHost { try $0.xenstore.write("/local/domain/1/memory/target", string: "12abc") }
        refuses(xl, ["mem-set", "g", "32m"], "mem-set g 32m: /local/domain/1/memory/target is not a number of KiB: \"12abc\"")
        refuses(xl, ["mem-max", "g", "32m"], "mem-max g 32m: /local/domain/1/memory/target is not a number of KiB: \"12abc\"")
    }

    func testInfoCountsFreeCPUs() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("info", "free_cpus").stdout, "0\n")
        XCTAssertEqual(xl("cpupool-cpu-remove", "Pool-0", "1,3").status, 0)
        XCTAssertEqual(xl("info", "free_cpus").stdout, "2\n")
    }
}
