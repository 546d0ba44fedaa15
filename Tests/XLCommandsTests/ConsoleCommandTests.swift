// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator

/// `xl console [-t pv|serial|vuart] [-n NUM] [-e ESCAPE] DOMAIN` and `xl create -c` on a simulated host: what the
/// simulated guest wrote to the console asked for, and one line with exit status 1 (2 for usage) and no change
/// to the host for everything refused.
final class ConsoleCommandTests: XCTestCase {
    /// Seed 003's host and the guest `midway` created from its config plus `extra`.
    private func hostWithGuest(_ extra: String = "") throws -> XLRunner {
        let xl = try XLRunner()
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        XCTAssertEqual(xl("--host-dtb", hostDTB, "list").status, 0)
        let config = CreateFixtures.config(kernel: try xl.file("Image", CreateFixtures.kernel),
                                           deviceTree: try xl.dtbo("guest.dtb", CreateFixtures.partial()), extra: extra)
        let created = xl("create", try xl.file("midway.cfg", Array(config.utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        return xl
    }

    /// What the simulated guest of domain 1 holds for its PV console and its vpl011.
    private func written(_ xl: XLRunner) throws -> (pv: String, vuart: String) {
        try xl.withHost { host in
            let guest = try XCTUnwrap(host.hypervisor.state.domains.first { $0.id == 1 }?.guest)
            return (guest.output(vuart: false), guest.output(vuart: true))
        }
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], _ message: String, status: Int32 = 1,
                         file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        if status == 1 {
            XCTAssertEqual(result.stderr, message + "\n", file: file, line: line)
        } else {
            XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, file: file, line: line)
        }
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    func testConsolePrintsWhatTheGuestWroteToItsPVConsoleByNameOrID() throws {
        let xl = try hostWithGuest()
        let first = xl("console", "midway")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stderr, "")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "[sim] domain 1 booting: XENVM-4.19, 2 vCPUs, 256 MiB, GICv3 with 83 SPIs")
        XCTAssertTrue(lines.contains("[sim] console ring at gfn 0x39000, event channel 2"), first.stdout)
        XCTAssertEqual(first.stdout, try written(xl).pv)
        XCTAssertEqual(try written(xl).vuart, "", "the guest has no vpl011")
        // Reading the console changes nothing, and -t pv, -n 0 and the id name the same console.
        let before = xl.snapshot()
        for arguments in [["console", "1"], ["console", "-t", "pv", "midway"], ["console", "-n", "0", "-t", "pv", "1"], ["console", "-e", "^a", "midway"]] {
            let result = xl.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, first.stdout, "\(arguments)")
        }
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testADryRunSaysWhatItWouldAttachToAndShowsNothing() throws {
        let xl = try hostWithGuest()
        let before = xl.snapshot()
        let result = xl("-N", "console", "midway")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "dry run: would attach to console 0 (pv) of simulated domain 1\n")
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testWhatTheGuestWritesLaterShowsOnTheNextAttach() throws {
        let xl = try hostWithGuest()
        XCTAssertEqual(xl("shutdown", "midway").status, 0)
        let result = xl("console", "midway")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix("[sim] xen:manage: control/shutdown poweroff: powering off\n"), result.stdout)
    }

    func testVuartShowsTheVpl011WhenTheKernelWritesThere() throws {
        let xl = try hostWithGuest("vuart = \"sbsa_uart\"\ncmdline = \"console=ttyAMA0\"")
        let vuart = xl("console", "-t", "vuart", "midway")
        XCTAssertEqual(vuart.status, 0, vuart.stderr)
        XCTAssertTrue(vuart.stdout.contains("[sim] vpl011 ring at gfn 0x39003, event channel 3\n"), vuart.stdout)
        XCTAssertEqual(vuart.stdout, try written(xl).vuart)
        let pv = xl("console", "midway")
        XCTAssertEqual(pv.status, 0, pv.stderr)
        XCTAssertEqual(pv.stdout, "", "a kernel told console=ttyAMA0 writes nothing to hvc0")
        refuses(xl, ["console", "-t", "vuart", "-n", "1", "midway"], "console midway: -n 1: a domain has one vuart at most, number 0")
    }

    func testAKernelNamingBothConsolesWritesToBoth() throws {
        let xl = try hostWithGuest("vuart = \"sbsa_uart\"\ncmdline = \"console=hvc0 console=ttyAMA0,115200\"")
        let consoles = try written(xl)
        XCTAssertTrue(consoles.pv.hasPrefix("[sim] domain 1 booting:"), consoles.pv)
        XCTAssertEqual(consoles.pv, consoles.vuart)
        XCTAssertEqual(xl("console", "-t", "vuart", "1").stdout, consoles.vuart)
    }

    func testAKernelToldTtyAMA0WithoutAVpl011WritesToHvc0() throws {
        let xl = try hostWithGuest("cmdline = \"console=ttyAMA0\"")
        let consoles = try written(xl)
        XCTAssertTrue(consoles.pv.hasPrefix("[sim] domain 1 booting:"), consoles.pv)
        XCTAssertEqual(consoles.vuart, "")
        XCTAssertEqual(xl("console", "midway").stdout, consoles.pv)
    }

    func testRefusalsAreOneLineAndChangeNothing() throws {
        let xl = try hostWithGuest()
        refuses(xl, ["console", "nosuch"], "console nosuch: nosuch is not the name or id of any domain")
        refuses(xl, ["console", "7"], "console 7: domain 7 does not exist")
        refuses(xl, ["console", "-t", "tty", "midway"], "console midway: -t tty: console type supported are: pv, serial, vuart")
        refuses(xl, ["console", "-t", "serial", "midway"],
                "console midway: -t serial is the emulated serial port of an HVM guest, and ARM PVH guests have none; "
                    + "use -t pv (the PV console), or -t vuart for a guest with vuart = \"sbsa_uart\"")
        refuses(xl, ["console", "-n", "1", "midway"],
                "console midway: domain 1 has no PV console 1 (/local/domain/1/device/console/1 does not exist); its primary console is number 0")
        refuses(xl, ["console", "-t", "vuart", "midway"],
                "console midway: domain 1 has no vuart (/local/domain/1/vuart/0 does not exist); it needs vuart = \"sbsa_uart\" in its config")
        refuses(xl, ["console", "0"],
                "console 0: domain 0's console is Xen's own console (its serial line, or hvc0 in dom0); xenconsole attaches to guests only")
        refuses(xl, ["console", "Domain-0"],
                "console Domain-0: domain 0's console is Xen's own console (its serial line, or hvc0 in dom0); xenconsole attaches to guests only")
    }

    func testUsageErrorsExitTwo() throws {
        let xl = try hostWithGuest()
        refuses(xl, ["console", "-n", "x", "midway"], "The value 'x' is invalid for '-n <number>'", status: 2)
        refuses(xl, ["console", "-n", "2147483648", "midway"], "-n 2147483648: console numbers go from 0 to 2147483647", status: 2)
        refuses(xl, ["console", "-e", "abc", "midway"], "-e abc: the escape is one character, or ^ and one character (such as ^])", status: 2)
        refuses(xl, ["console", "-e", "^ab", "midway"], "-e ^ab: the escape is one character, or ^ and one character (such as ^])", status: 2)
        XCTAssertEqual(xl("console").status, 2)
        XCTAssertEqual(xl("console", "midway", "extra").status, 2)
        let help = xl("console", "-h")
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: xl console [-t <type>] [-n <number>] [-e <escape>] <DOMAIN>"), help.stdout)
        XCTAssertTrue(xl("help").stdout.contains("\n console" + String(repeating: " ", count: 13) + "Attach to domain's console"), "listed for bash completion")
    }

    func testCreateDashCShowsWhatConsoleShows() throws {
        let xl = try hostWithGuest()
        XCTAssertEqual(xl("destroy", "midway").status, 0)
        let created = xl("create", "-c", try xl.file("again.cfg", Array(CreateFixtures.config(
            kernel: try xl.file("Image", CreateFixtures.kernel), deviceTree: try xl.dtbo("guest.dtb", CreateFixtures.partial())).utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(created.stdout.hasPrefix("[sim] domain 2 booting:"), created.stdout)
        let attached = xl("console", "midway")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        XCTAssertTrue(attached.stdout.hasPrefix(created.stdout), "what create -c showed, and what the guest wrote since")
    }
}
