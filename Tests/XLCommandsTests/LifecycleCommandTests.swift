// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl pause`, `unpause`, `rename`, `domid`, `domname`, the `xl list` table against upstream's printf
/// format, and unknown commands, on a simulated host with one created guest.
final class LifecycleCommandTests: XCTestCase {
    /// A host booted with seed 003's tree and the guest `midway` (domain 1) created and running.
    private func hostWithGuest() throws -> XLRunner {
        let xl = try XLRunner()
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        XCTAssertEqual(xl("--host-dtb", hostDTB, "list").status, 0)
        let config = CreateFixtures.config(kernel: try xl.file("Image", CreateFixtures.kernel),
                                           deviceTree: try xl.dtbo("guest.dtb", CreateFixtures.partial()))
        let created = xl("create", try xl.file("midway.cfg", Array(config.utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        return xl
    }

    /// One row as upstream's `list_domains` prints it, through the C library's own printf.
    private func upstreamRow(_ name: String, _ id: Int32, _ memoryMiB: UInt, _ vcpus: Int32, _ state: String, _ seconds: Double) -> String {
        let letters = Array(state.utf8).map { CInt($0) as CVarArg }
        var buffer = [CChar](repeating: 0, count: 256)
        name.withCString { cName in
            _ = withVaList([cName, id, memoryMiB, vcpus] + letters + [seconds]) { arguments in
                vsnprintf(&buffer, buffer.count, "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", arguments)
            }
        }
        return String(cString: buffer)
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, 1, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr, message + "\n", file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    func testListRowsArePrintedWithUpstreamsFormat() throws {
        let xl = try hostWithGuest()
        let lines = xl("list").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "Name                                        ID   Mem VCPUs\tState\tTime(s)")
        XCTAssertEqual(lines.dropFirst().first, upstreamRow("Domain-0", 0, 1024, 1, "r-----", 0), "dom0 has a vCPU per host CPU (one here)")
        XCTAssertEqual(lines.dropFirst(2).first, upstreamRow("midway", 1, 256, 2, "r-----", 0))
        // A name longer than the column, and a shut-down guest whose fifth letter is the reason (reboot).
        XCTAssertEqual(xl("rename", "midway", String(repeating: "n", count: 45)).status, 0)
        try xl.withHost { host in
            let index = try XCTUnwrap(host.hypervisor.state.index(of: 1))
            host.hypervisor.state.domains[index].state = [.shutdown]
            host.hypervisor.state.domains[index].shutdownReason = 1
        }
        let rows = xl("list").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.last, upstreamRow(String(repeating: "n", count: 45), 1, 256, 2, "---sr-", 0))
        // Only the domains asked for, in the order given.
        XCTAssertEqual(xl("list", "1", "Domain-0").stdout.split(separator: "\n").map(String.init), [rows[0], rows[2], rows[1]])
        refuses(xl, ["list", "nosuch"], "list nosuch: nosuch is not the name or id of any domain")
    }

    func testPauseAndUnpauseCountAsXenDoes() throws {
        let xl = try hostWithGuest()
        func state() throws -> String { try XCTUnwrap(xl("list").stdout.split(separator: "\n").last.map { String($0.dropFirst(63).prefix(6)) }) }
        XCTAssertEqual(xl("pause", "midway").status, 0)
        XCTAssertEqual(try state(), "--p---")
        XCTAssertEqual(xl("pause", "1").status, 0)
        XCTAssertEqual(xl("unpause", "midway").status, 0)
        XCTAssertEqual(try state(), "--p---", "two pauses need two unpauses")
        let result = xl("unpause", "midway")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "", "quiet on success")
        XCTAssertEqual(try state(), "r-----")
        refuses(xl, ["unpause", "midway"], "unpause midway: domain 1 is not paused")
        refuses(xl, ["pause", "0"], "pause 0: domain 0 runs this toolstack and cannot be paused")
        refuses(xl, ["pause", "nosuch"], "pause nosuch: nosuch is not the name or id of any domain")
        refuses(xl, ["unpause", "9"], "unpause 9: domain 9 does not exist")
        for _ in 0..<255 { XCTAssertEqual(xl("pause", "midway").status, 0) }
        refuses(xl, ["pause", "midway"], "pause midway: XEN_DOMCTL_pausedomain returned EOVERFLOW (Value too large for defined data type); Xen counts at most 255 pauses, unpause it first")
        XCTAssertEqual(xl("-N", "unpause", "midway").stdout, "dry run: would unpause domain 1\n")
    }

    func testRenameWritesBothNamesAndRefusesClashes() throws {
        let xl = try hostWithGuest()
        XCTAssertEqual(xl("rename", "midway", "web").status, 0)
        let (name, vmName) = try xl.withHost { host -> (String?, String?) in
            let vm = try XCTUnwrap(try host.xenstore.readString("/local/domain/1/vm"))
            return (try host.xenstore.readString("/local/domain/1/name"), try host.xenstore.readString(vm + "/name"))
        }
        XCTAssertEqual(name, "web")
        XCTAssertEqual(vmName, "web")
        XCTAssertEqual(xl("domid", "web").stdout, "1\n")
        XCTAssertTrue(xl("list", "-l", "1").stdout.contains("\"name\": \"web\""), "list -l shows the current name")
        XCTAssertEqual(xl("domname", "1").stdout, "web\n")
        XCTAssertEqual(xl("rename", "web", "web").status, 0, "a domain may keep its own name")
        refuses(xl, ["rename", "web", "Domain-0"], "rename web: domain 0 is already named \"Domain-0\"")
        refuses(xl, ["rename", "web", "42"], "rename web: \"42\" is all digits and would be read as a domain id")
        refuses(xl, ["rename", "web", "a/b"], "rename web: \"a/b\" has a / or a control character, which xenstore paths and xl's output cannot carry")
        refuses(xl, ["rename", "web", ""], "rename web: a domain name has 1 to 64 bytes")
        refuses(xl, ["rename", "midway", "x"], "rename midway: midway is not the name or id of any domain")
        refuses(xl, ["domid", "midway"], "domid midway: no domain is named \"midway\"")
        refuses(xl, ["domname", "5"], "domname 5: domain 5 does not exist")
        refuses(xl, ["domname", "web"], "domname web: not a domain id (a number from 0 to 65535)")
    }

    func testUnknownCommandsAndMissingArguments() throws {
        let xl = try XLRunner()
        let unknown = xl("frobnicate", "1")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "command \"frobnicate\" not implemented\n")
        for command in ["pause", "unpause", "domid", "domname", "rename"] {
            XCTAssertEqual(xl(command).status, 2, command)
            XCTAssertEqual(xl(command, "-h").status, 0, command)
        }
        XCTAssertEqual(xl("rename", "a").status, 2)
    }

    /// Debian's bash completion takes the commands from `xl help | sed '1,4d' | awk '/^ [^ ]/'`.
    func testHelpListsTheCommandsAsBashCompletionReadsThem() throws {
        let xl = try XLRunner()
        let help = xl("help")
        XCTAssertEqual(help.status, 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(lines.prefix(4)), ["Usage xl [-vfN] <subcommand> [args]", "", "xl full list of subcommands:", ""])
        let commands = lines.dropFirst(4).filter { $0.hasPrefix(" ") && !$0.hasPrefix("  ") }.map { String($0.dropFirst().prefix { $0 != " " }) }
        XCTAssertEqual(commands, ["create", "destroy", "list", "pause", "unpause", "rename", "domid", "domname", "dt-overlay", "shutdown", "reboot", "console",
                                  "uptime", "sysrq", "info", "dmesg", "network-attach", "network-detach", "network-list", "block-attach", "block-detach", "block-list",
                                  "vcpu-list", "vcpu-pin", "vcpu-set", "mem-max", "mem-set", "cpupool-create", "cpupool-list", "cpupool-destroy",
                                  "cpupool-rename", "cpupool-cpu-add", "cpupool-cpu-remove", "cpupool-migrate"])
        XCTAssertTrue(lines[4].hasPrefix(" create              Create a domain"), lines[4])
        XCTAssertTrue(xl("help", "pause").stdout.contains("USAGE: xl pause <DOMAIN>"))
        XCTAssertEqual(xl("help", "zzz").stdout, "command \"zzz\" not implemented\n")
    }
}
