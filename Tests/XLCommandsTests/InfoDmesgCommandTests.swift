// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl info` against upstream's printf formats (`xl_info.c`), with the simulated host's facts, and `xl dmesg [-c]`
/// on the simulated Xen's console ring.
final class InfoDmesgCommandTests: XCTestCase {
    private func printf(_ format: String, _ arguments: CVarArg...) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], status: Int32 = 1, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    /// The simulated host's free MiB: 4 GiB less what its domains hold, in whole pages.
    private func freeMiB(_ xl: XLRunner) throws -> UInt64 {
        let used = try xl.withHost { $0.hypervisor.state.domains.reduce(UInt64(0)) { $0 + $1.memoryKiB / 4 } }
        return ((1 << 20) - used) / 256
    }

    func testInfoPrintsUpstreamsFieldsInItsOrderAndFormats() throws {
        let xl = try ShutdownCommandTests.host()
        let free = try freeMiB(xl)
        XCTAssertLessThan(free, 4096 - 1024 - 64, "dom0 and the guest hold their memory")
        let result = xl("info")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }.dropLast()
        let keys = lines.map { String($0.prefix { $0 != " " && $0 != ":" }) }
        XCTAssertEqual(keys, ["host", "release", "version", "machine", "nr_cpus", "max_cpu_id", "nr_nodes", "cores_per_socket",
                              "threads_per_core", "cpu_mhz", "hw_caps", "virt_caps", "arm_sve_vector_length", "total_memory", "free_memory",
                              "sharing_freed_memory", "sharing_used_memory", "outstanding_claims", "free_cpus", "xen_major", "xen_minor",
                              "xen_extra", "xen_version", "xen_caps", "xen_scheduler", "xen_pagesize", "platform_params", "xen_changeset",
                              "xen_commandline", "cc_compiler", "cc_compile_by", "cc_compile_domain", "cc_compile_date", "build_id",
                              "xend_config_format"])
        let expected = [
            printf("machine                : %s\n", strdup("aarch64")!),
            printf("nr_cpus                : %d\n", CInt(4)),
            printf("max_cpu_id             : %d\n", CInt(3)),
            printf("cpu_mhz                : %d.%03d\n", CInt(62500 / 1000), CInt(62500 % 1000)),
            printf("hw_caps                : %08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x\n", CUnsignedInt(0), CUnsignedInt(0), CUnsignedInt(0),
                   CUnsignedInt(0), CUnsignedInt(0), CUnsignedInt(0), CUnsignedInt(0), CUnsignedInt(0)),
            printf("virt_caps              :%s%s%s%s\n", strdup(" hvm")!, strdup(" hvm_directio")!, strdup(" hap")!, strdup(" gnttab-v1")!),
            printf("arm_sve_vector_length  : %u\n", CUnsignedInt(0)),
            printf("total_memory           : %llu\n", CUnsignedLongLong(4096)),
            printf("free_memory            : %llu\n", CUnsignedLongLong(free)),
            printf("xen_version            : %d.%d%s\n", CInt(4), CInt(19), strdup(".0")!),
            printf("xen_scheduler          : %s\n", strdup("credit2")!),
            printf("platform_params        : virt_start=0x%llx\n", CUnsignedLongLong(0xa0000200000)),
            printf("xen_commandline        : %s\n", strdup("console=dtuart dom0_mem=1024M")!),
            "xend_config_format     : 4\n",
        ]
        for line in expected { XCTAssertTrue(lines.contains(line), "missing \(line.debugDescription) in\n\(result.stdout)") }
    }

    func testANameSelectsTheValuesOfTheFieldsItStarts() throws {
        let xl = try ShutdownCommandTests.host()
        XCTAssertEqual(xl("info", "free_memory").stdout, "\(try freeMiB(xl))\n")
        XCTAssertEqual(xl("info", "xen_m").stdout, "4\n19\n", "a prefix, as upstream's strncmp")
        XCTAssertEqual(xl("info", "virt_caps").stdout, "hvm hvm_directio hap gnttab-v1\n")
        XCTAssertEqual(xl("info", "nosuch").stdout, "")
    }

    func testNumaAddsTheTopologyAndTheNode() throws {
        let xl = try ShutdownCommandTests.host()
        let text = xl("info", "-n").stdout
        let topology = ["cpu_topology           :", "cpu:    core    socket     node"]
            + (0..<4).map { printf("%3d:    %4d     %4d     %4d", CInt($0), CInt(0), CInt(0), CInt(0)) }
            + ["device topology        :", "device           node", "No device topology data available",
               "numa_info              :", "node:    memsize    memfree    distances",
               printf("%4d:    %6llu     %6llu      %d", CInt(0), CUnsignedLongLong(4096), CUnsignedLongLong(try freeMiB(xl)), CInt(10))]
        XCTAssertTrue(text.contains("free_cpus              : 0\n" + topology.joined(separator: "\n") + "\nxen_major              : 4\n"), text)
        refuses(xl, ["info", "-n", "free_memory"], status: 2, "-n prints every field; \"free_memory\" cannot select one with it")
        refuses(xl, ["info", "-q"], status: 2, "Unknown option '-q'")
    }

    func testAFailedQueryIsOneLine() throws {
        let xl = try ShutdownCommandTests.host()
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_SYSCTL_physinfo"] = .EACCES }
        let result = xl("info")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "info: XEN_SYSCTL_physinfo returned EACCES (Permission denied)\n")
    }

    func testDmesgPrintsXensRingAndClearEmptiesIt() throws {
        let xl = try ShutdownCommandTests.host()
        let boot = xl("dmesg")
        XCTAssertEqual(boot.status, 0, boot.stderr)
        XCTAssertTrue(boot.stdout.hasPrefix("(XEN) Xen version 4.19.0 "), boot.stdout)
        XCTAssertTrue(boot.stdout.contains("(XEN) Command line: console=dtuart dom0_mem=1024M\n"), boot.stdout)
        XCTAssertEqual(xl("dmesg").stdout, boot.stdout, "reading leaves the ring as it is")
        let dry = xl("-N", "dmesg", "-c")
        XCTAssertEqual(dry.stdout, boot.stdout)
        XCTAssertEqual(xl("dmesg").stdout, boot.stdout, "a dry run does not clear")
        XCTAssertEqual(xl("dmesg", "--clear").stdout, boot.stdout, "-c prints the ring as well")
        XCTAssertEqual(xl("dmesg").stdout, "", "then it is empty")
        refuses(xl, ["dmesg", "extra"], status: 2, "Unexpected argument 'extra'")
        try xl.withHost { $0.hypervisor.state.xenConsole = "(XEN) kept\n"; $0.hypervisor.state.injectedFailures["XEN_SYSCTL_readconsole"] = .EPERM }
        let failed = xl("dmesg", "-c")
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stderr, "dmesg: XEN_SYSCTL_readconsole returned EPERM (Operation not permitted)\n")
        XCTAssertEqual(xl("dmesg").stdout, "(XEN) kept\n", "a failed read clears nothing")
    }
}
