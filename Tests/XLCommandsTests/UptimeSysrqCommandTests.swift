// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
@testable import XLCommands

/// `xl uptime` against upstream's printf formats, and `xl sysrq` through the simulated guest's PV control driver.
final class UptimeSysrqCommandTests: XCTestCase {
    private func refuses(_ xl: XLRunner, _ arguments: [String], status: Int32 = 1, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    /// Moves domain 1's `/vm/UUID/start_time` and the host's boot time back by `seconds` from now.
    private func age(_ xl: XLRunner, guest seconds: UInt64, host hostSeconds: Double) throws {
        let now = Date().timeIntervalSince1970
        try xl.withHost { host in
            host.hypervisor.state.bootTime = now - hostSeconds
            let vm = try XCTUnwrap(try host.xenstore.readString("/local/domain/1/vm"))
            try host.xenstore.write(vm + "/start_time", string: "\(UInt64(now) - seconds).25")
        }
    }

    /// Upstream's `"%-33s %4d %s\n"` through the C library's printf.
    private func upstreamRow(_ name: String, _ id: Int32, _ uptime: String) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        name.withCString { cName in
            uptime.withCString { cUptime in
                _ = withVaList([cName, id, cUptime]) { vsnprintf(&buffer, buffer.count, "%-33s %4d %s", $0) }
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func testUptimeTableHasUpstreamsLayout() throws {
        let xl = try ShutdownCommandTests.host()
        try age(xl, guest: 2 * 86400 + 3 * 3600 + 4 * 60 + 5, host: 86400 + 7)
        let result = xl("uptime")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines.first, "Name                                ID Uptime")
        // The clock may tick between setting the times and reading them: one second either way is upstream's too.
        XCTAssertTrue([upstreamRow("Domain-0", 0, "1 day,  0:00:07"), upstreamRow("Domain-0", 0, "1 day,  0:00:08")].contains(lines[1]), lines[1])
        XCTAssertTrue([upstreamRow("g", 1, "2 days,  3:04:05"), upstreamRow("g", 1, "2 days,  3:04:06")].contains(lines[2]), lines[2])
        // Only the domains named, in that order.
        let some = xl("uptime", "g", "0").stdout.split(separator: "\n").map { String($0.prefix(38)) }
        XCTAssertEqual(some, ["Name                                ID", upstreamRow("g", 1, ""), upstreamRow("Domain-0", 0, "")].map { String($0.prefix(38)) })
    }

    func testShortUptimeIsTheClockThenHoursAndMinutes() throws {
        let xl = try ShutdownCommandTests.host()
        try age(xl, guest: 3 * 3600 + 25 * 60 + 30, host: 59)
        let lines = xl("uptime", "-s").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "no header in the short form")
        let pattern = #"^ [0-2][0-9]:[0-5][0-9]:[0-5][0-9] up (%@), (%@)$"#
        XCTAssertNotNil(lines[0].range(of: String(format: pattern, " 0:00", #"Domain-0 \(0\)"#), options: .regularExpression), lines[0])
        XCTAssertNotNil(lines[1].range(of: String(format: pattern, " 3:25", #"g \(1\)"#), options: .regularExpression), lines[1])
    }

    func testUptimeTextMatchesUpstreamsFormats() {
        XCTAssertEqual(UptimeCommand.uptimeText(59, short: false), " 0:00:59")
        XCTAssertEqual(UptimeCommand.uptimeText(36000 + 61, short: false), "10:01:01")
        XCTAssertEqual(UptimeCommand.uptimeText(86400 + 3600, short: true), "1 day,  1:00")
        XCTAssertEqual(UptimeCommand.uptimeText(10 * 86400 + 11 * 3600 + 60, short: true), "10 days, 11:01")
    }

    func testAGuestWithoutAStartTimeIsLeftOutAndBadDomainsAreRefused() throws {
        let xl = try ShutdownCommandTests.host()
        try xl.withHost { host in
            let vm = try XCTUnwrap(try host.xenstore.readString("/local/domain/1/vm"))
            try host.xenstore.remove(vm + "/start_time", in: nil)
        }
        XCTAssertEqual(xl("uptime").stdout.split(separator: "\n").count, 2, "upstream prints nothing for it")
        refuses(xl, ["uptime", "nosuch"], "uptime nosuch: nosuch is not the name or id of any domain")
        refuses(xl, ["uptime", "-x"], status: 2, "Unknown option '-x'")
    }

    func testSysrqReachesTheGuestsControlNode() throws {
        let xl = try ShutdownCommandTests.host()
        let result = xl("sysrq", "g", "h")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")
        let store = try SharedXenStore(directory: xl.directory, caller: .dom0)
        XCTAssertEqual(try store.readString("/local/domain/1/control/sysrq"), "", "the guest took the key")
        let console = try xl.withHost { $0.hypervisor.state.domains.first { $0.id == 1 }?.guest?.console ?? "" }
        XCTAssertTrue(console.hasSuffix("[sim] sysrq: key 'h'\n"), console)
        XCTAssertEqual(xl("-N", "sysrq", "1", "s").stdout, "dry run: would write /local/domain/1/control/sysrq = \"s\"\n")
    }

    func testSysrqBadInput() throws {
        let xl = try ShutdownCommandTests.host()
        refuses(xl, ["sysrq", "g", "hs"], status: 2, "KEY \"hs\": give one sysrq letter, such as h (help), s (sync) or b (reboot)")
        refuses(xl, ["sysrq", "g", " "], status: 2, "KEY \" \": give one sysrq letter, such as h (help), s (sync) or b (reboot)")
        refuses(xl, ["sysrq", "g"], status: 2, "Missing expected argument '<KEY>'")
        refuses(xl, ["sysrq", "nosuch", "h"], "sysrq nosuch: nosuch is not the name or id of any domain")
        refuses(xl, ["sysrq", "0", "h"], "sysrq 0: domain 0 has no PV control interface (/local/domain/0/control/feature-poweroff is not set: the guest has no Xen PV drivers, or has not started them yet), so nothing would read /local/domain/0/control/sysrq")
        XCTAssertEqual(xl("shutdown", "g").status, 0)
        refuses(xl, ["sysrq", "g", "h"], "sysrq g: domain 1 has shut down, so its guest cannot take a sysrq")
    }

    func testSysrqRefusesAGuestWithoutPVDrivers() throws {
        let xl = try ShutdownCommandTests.host("cmdline = \"console=hvc0 xen_nopv\"\n")
        refuses(xl, ["sysrq", "g", "h"], "sysrq g: domain 1 has no PV control interface (/local/domain/1/control/feature-poweroff is not set: the guest has no Xen PV drivers, or has not started them yet), so nothing would read /local/domain/1/control/sysrq")
    }
}
