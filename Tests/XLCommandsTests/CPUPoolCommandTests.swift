// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// The `xl cpupool-*` commands and `list -c` on a simulated host: upstream's printf formats, the pools, CPUs and
/// `/local/pool` entries they leave, and refusals that change nothing.
final class CPUPoolCommandTests: XCTestCase {
    private func printf(_ format: String, _ arguments: [CVarArg]) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A `cpupool-list` row as upstream's `main_cpupoollist` prints it.
    private func row(_ name: String, _ cpus: Int32, _ scheduler: String, _ domains: Int32) -> String {
        printf("%-19s", [strdup(name)!]) + printf("%3d %9s       y       %4d", [cpus, strdup(scheduler)!, domains])
    }

    private var header: String { printf("%-19s", [strdup("Name")!]) + "CPUs   Sched     Active   Domain count" }

    private func refuses(_ xl: XLRunner, _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, 1, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr, message + "\n", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    private func lines(_ xl: XLRunner, _ arguments: String...) -> [String] {
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    func testABootedHostHasPool0WithEveryCPU() throws {
        let xl = try XLRunner()
        XCTAssertEqual(lines(xl, "cpupool-list"), [header, row("Pool-0", 4, "credit2", 1)])
        XCTAssertEqual(lines(xl, "cpupool-list", "-c"), [printf("%-19s", [strdup("Name")!]) + "CPU list", printf("%-19s", [strdup("Pool-0")!]) + "0,1,2,3"])
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/pool/0/name") }, "Pool-0", "as xen-init-dom0 names it")
        refuses(xl, ["cpupool-list", "rt"], "cpupool-list: no cpupool is named \"rt\"")
    }

    func testCreateMigrateRenameAndDestroy() throws {
        let xl = try ShutdownCommandTests.host()
        XCTAssertEqual(xl("cpupool-cpu-remove", "Pool-0", "2-3").status, 0)
        let config = try xl.file("rt.cfg", Array("sched = \"null\"\ncpus = \"2-3\"\n".utf8))
        XCTAssertEqual(lines(xl, "cpupool-create", config), [
            "Using config file \"\(config)\"", "cpupool name:   rt.cfg", "scheduler:      null", "number of cpus: 2",
        ])
        let uuid = try xl.withHost { try $0.xenstore.readString("/local/pool/1/uuid") }
        XCTAssertEqual(uuid?.count, 36)
        XCTAssertEqual(lines(xl, "cpupool-list"), [header, row("Pool-0", 2, "credit2", 2), row("rt.cfg", 2, "null", 0)])
        XCTAssertEqual(xl("cpupool-rename", "rt.cfg", "rt").status, 0)
        XCTAssertEqual(xl("vcpu-pin", "g", "0", "0").status, 0)
        XCTAssertEqual(xl("cpupool-migrate", "g", "rt").status, 0)
        XCTAssertEqual(lines(xl, "cpupool-list", "1"), [header, row("rt", 2, "null", 1)])
        XCTAssertEqual(lines(xl, "list", "-c", "g").last.map { String($0.suffix(16)) }, printf("%16s", [strdup("rt")!]))
        XCTAssertTrue(lines(xl, "vcpu-list", "g").last?.hasSuffix("all / all") == true, "a move resets the affinity")
        refuses(xl, ["cpupool-destroy", "rt"], "cpupool-destroy rt: 1 domain still runs in it (xl cpupool-migrate them first)")
        refuses(xl, ["cpupool-cpu-remove", "rt", "2-3"], "cpupool-cpu-remove rt 2-3: rt has domains and would have no CPU left (xl cpupool-migrate them first)")
        XCTAssertEqual(xl("cpupool-migrate", "g", "Pool-0").status, 0)
        XCTAssertEqual(xl("cpupool-destroy", "rt").status, 0)
        XCTAssertEqual(lines(xl, "cpupool-list"), [header, row("Pool-0", 2, "credit2", 2)])
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/pool/1/name") }, nil)
        XCTAssertEqual(lines(xl, "info", "free_cpus"), ["2"])
    }

    func testCreateChecksEverythingFirst() throws {
        let xl = try XLRunner()
        XCTAssertEqual(lines(xl, "cpupool-list").count, 2)
        refuses(xl, ["cpupool-create", "sched=\"null\""], "cpupool-create: the pool needs a name (name=NAME, or a config file)")
        refuses(xl, ["cpupool-create", "name=\"Pool-0\""], "cpupool-create: a cpupool is already named \"Pool-0\"")
        refuses(xl, ["cpupool-create", "name=\"rt\"", "cpus=\"1\""], "<command line>:2:1: CPU 1 is not free: it is in a cpupool (xl cpupool-cpu-remove it first)")
        refuses(xl, ["cpupool-create", "name=\"rt\"", "sched=\"sedf\""], "<command line>:2:1: sched must be one of credit, credit2, arinc653, rtds, null")
        refuses(xl, ["cpupool-create", "name=\"rt\"", "pool=\"x\""], "<command line>:2:1: pool is not a cpupool key (name, sched, cpus, nodes)")
        refuses(xl, ["cpupool-create", "name=\"12\""], "cpupool-create: \"12\" is not a pool name: 1 to 64 bytes, not all digits, no '/' or control characters")
        refuses(xl, ["cpupool-create", "name=\"rt\"", "nodes=[0]"], "<command line>:2:1: node 0 has no free CPU (xl cpupool-list -c)")
        refuses(xl, ["cpupool-create", "name=\"rt\"", "cpus=\"7\""], "<command line>:2:1: cpus: cpu-list \"7\": CPU 7 does not exist: this host has CPUs 0 to 3")
        refuses(xl, ["cpupool-create", "/nonexistent.cfg"], "/nonexistent.cfg: cannot open: No such file or directory")
        XCTAssertEqual(lines(xl, "cpupool-create", "-n", "name=\"rt\""), [
            "Using config file \"command line\"", "cpupool name:   rt", "scheduler:      credit2", "number of cpus: 0",
        ])
        XCTAssertEqual(lines(xl, "cpupool-list").count, 2, "-n created nothing")
        XCTAssertEqual(xl("cpupool-create", "name=\"empty\"").status, 0, "a pool without CPUs, as upstream allows")
        refuses(xl, ["cpupool-migrate", "0", "empty"], "cpupool-migrate 0 empty: dom0 stays in Pool-0")
    }

    func testCPUAddAndRemoveAreAllOrNothing() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("cpupool-cpu-remove", "Pool-0", "3").status, 0)
        XCTAssertEqual(xl("cpupool-create", "name=\"rt\"").status, 0)
        refuses(xl, ["cpupool-cpu-add", "rt", "2-3"], "cpupool-cpu-add rt 2-3: CPU 2 is not free: it is in Pool-0 (xl cpupool-cpu-remove it first)")
        refuses(xl, ["cpupool-cpu-remove", "Pool-0", "0"], "cpupool-cpu-remove Pool-0 0: CPU 0 must stay in Pool-0")
        refuses(xl, ["cpupool-cpu-remove", "Pool-0", "2-3"], "cpupool-cpu-remove Pool-0 2-3: CPU 3 is not in Pool-0")
        refuses(xl, ["cpupool-cpu-add", "nosuch", "3"], "cpupool-cpu-add nosuch 3: no cpupool is named \"nosuch\"")
        XCTAssertEqual(xl("cpupool-cpu-add", "rt", "3").status, 0)
        XCTAssertEqual(lines(xl, "cpupool-list", "-c").dropFirst().map { $0.split(separator: " ").map(String.init) }, [["Pool-0", "0,1,2"], ["rt", "3"]])
        XCTAssertEqual(xl("cpupool-create", "name=\"x\"").status, 0)
        refuses(xl, ["cpupool-cpu-add", "x", "2-3"], "cpupool-cpu-add x 2-3: CPUs 2-3 are not free: they are in Pool-0 and rt (xl cpupool-cpu-remove them first)")
        XCTAssertEqual(xl("cpupool-destroy", "x").status, 0)
        // A failure part way (an injected EBUSY on the second CPU) takes back the first.
        XCTAssertEqual(xl("cpupool-cpu-remove", "Pool-0", "1-2").status, 0)
        try xl.withHost { host in host.hypervisor.state.injectedFailures["XEN_SYSCTL_CPUPOOL_OP_ADDCPU"] = .EBUSY }
        let before = try xl.withHost { $0.hypervisor.currentPools() }
        let result = xl("cpupool-cpu-add", "rt", "1-2")
        XCTAssertEqual(result.stderr, "cpupool-cpu-add rt 1-2: XEN_SYSCTL_CPUPOOL_OP_ADDCPU returned EBUSY (Device or resource busy)\n")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.currentPools() }, before)
    }
}
