// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Toolstack
import XCTest
import XLCommands
import XenSimulator
import XenTypes

/// `xl console` on domains Xen built at boot: no release 4.17–4.22 gives them a PV console page, so there is
/// nothing for xenconsoled to serve, before or after `init-dom0less`; the refusal says how to reach the guest.
final class ConsoleDom0lessTests: XCTestCase {
    private static let tree = """
        /dts-v1/;
        / {
            #address-cells = <2>; #size-cells = <2>;
            chosen {
                plain { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; vpl011; };
                web { compatible = "xen,domain"; memory = <0x0 0x40000>; cpus = <2>; xen,enhanced = "enabled"; vpl011; };
                quiet { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; xen,enhanced; };
            };
            memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x1 0x0>; };
        };
        """

    private func withVPL011(_ id: Int, _ node: String) -> String {
        "domain \(id) (/chosen/\(node)) was built by Xen at boot (dom0less): Xen gives it no PV console for xenconsoled, "
            + "and serves its vpl011 itself on Xen's serial console; there, press Ctrl-A three times to switch input to it"
    }

    private let withoutVPL011 = "domain 3 (/chosen/quiet) was built by Xen at boot (dom0less): Xen gives it no PV console for xenconsoled "
        + "and, without vpl011 in its node, no UART; its output reaches Xen's serial console only through the console_io hypercall "
        + "(earlycon=xen), and Xen passes it no input"

    private func boot(_ version: String) throws -> XLRunner {
        let xl = try XLRunner()
        XCTAssertEqual(xl("--host-dtb", try xl.dtbo("dom0less.dtb", Self.tree), "--xen-version", version, "list").status, 0)
        return xl
    }

    private func initDom0less(_ xl: XLRunner) {
        let output = Output(stdout: { _ in }, stderr: { _ in })
        XCTAssertEqual(InitDom0lessMain.run(["--simulate", xl.directory], environment: [:], output: output), 0)
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, 1, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertEqual(result.stderr, message + "\n", file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    func testEveryReleaseRefusesBeforeAndAfterInitDom0lessNamingTheWayIn() throws {
        for version in ["4.17", "4.19", "4.21", "4.22"] {
            let xl = try boot(version)
            refuses(xl, ["console", "1"], "console 1: " + withVPL011(1, "plain"))
            refuses(xl, ["console", "-t", "vuart", "2"], "console 2: " + withVPL011(2, "web"))
            refuses(xl, ["console", "3"], "console 3: " + withoutVPL011)
            initDom0less(xl)
            // init-dom0less named the enhanced ones and wrote their stub records, but no console: Xen gave none.
            try xl.withHost { host in
                for id in 1...3 {
                    XCTAssertFalse(try host.xenstore.exists("/local/domain/\(id)/console"), "\(version) domain \(id)")
                    XCTAssertFalse(try host.xenstore.exists("/local/domain/\(id)/vuart"), "\(version) domain \(id)")
                }
                XCTAssertFalse(try host.xenstore.exists("/local/domain/0/backend/console"), version)
            }
            refuses(xl, ["console", "web"], "console web: " + withVPL011(2, "web"))
            refuses(xl, ["console", "-t", "vuart", "web"], "console web: " + withVPL011(2, "web"))
            refuses(xl, ["console", "-n", "1", "quiet"], "console quiet: " + withoutVPL011)
            refuses(xl, ["console", "1"], "console 1: " + withVPL011(1, "plain"))
            refuses(xl, ["console", "-t", "serial", "web"],
                    "console web: -t serial is the emulated serial port of an HVM guest, and ARM PVH guests have none; "
                        + "use -t pv (the PV console), or -t vuart for a guest with vuart = \"sbsa_uart\"")
        }
    }

    func testADomainUpstreamsInitDom0lessNamedIsKnownByItsName() throws {
        let xl = try boot("4.22")
        // Upstream's init-dom0less keeps the config record in /var/lib/xen, not xenstore, and names the domain dom0less-<domid>.
        try xl.withHost { host in
            for (path, value) in [("/local/domain/2/name", "dom0less-2"), ("/local/domain/2/domid", "2")] {
                try host.xenstore.write(path, string: value)
            }
        }
        refuses(xl, ["console", "dom0less-2"], "console dom0less-2: " + withVPL011(2, "web"))
    }

    func testWithoutTheBootTreeTheRefusalStillSaysWhereTheConsoleIs() throws {
        let xl = try boot("4.22")
        initDom0less(xl)
        try xl.withHost { host in
            // Real Xen without --host-dtb: the toolstack does not see the /chosen nodes.
            let toolstack = Toolstack(hypervisor: host.hypervisor, xenstore: host.xenstore, bootTree: nil, output: { _ in })
            XCTAssertThrowsError(try toolstack.findConsole("web", type: nil, number: 0, "console web")) { error in
                XCTAssertEqual(String(describing: error),
                               "console web: domain 2 was built by Xen at boot (dom0less): Xen gives it no PV console for xenconsoled; "
                                   + "a vpl011 in its /chosen node is served by Xen itself on Xen's serial console, where Ctrl-A pressed "
                                   + "three times switches input to it")
            }
        }
    }
}
