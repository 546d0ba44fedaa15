// SPDX-License-Identifier: Apache-2.0
import Foundation
import Toolstack
import XCTest
@testable import XLCommands
import XenSimulator
import XenTypes

/// Finding and running `xenconsole` for `xl console` and `xl create -c` on real Xen: the argument vector libxl's
/// `libxl_console_exec` builds, from the console `Toolstack.findConsole` finds, without exec'ing it.
final class ConsoleClientTests: XCTestCase {
    func testTheRunningReleasesToolsComeFirstAfterTheOverride() {
        XCTAssertEqual(ConsoleClient.candidates(version: .v4_20, environment: [:]), [
            "/usr/lib/xen-4.20/bin/xenconsole", "/usr/libexec/xen/bin/xenconsole", "/usr/lib/xen/bin/xenconsole",
            "/usr/local/libexec/xen/bin/xenconsole",
        ])
        XCTAssertEqual(ConsoleClient.candidates(version: .v4_20, environment: ["XL_XENCONSOLE": "/opt/xenconsole"]).first, "/opt/xenconsole")
        let present: Set = ["/usr/libexec/xen/bin/xenconsole", "/usr/lib/xen/bin/xenconsole"]
        XCTAssertEqual(ConsoleClient.locate(version: .v4_20, environment: [:], isExecutable: present.contains), "/usr/libexec/xen/bin/xenconsole")
        XCTAssertNil(ConsoleClient.locate(version: .v4_20, environment: [:], isExecutable: { _ in false }))
    }

    func testDebiansXenconsoleIsFoundOnThisHost() throws {
        let debian = "/usr/lib/xen-4.17/bin/xenconsole"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: debian), "\(debian) is not installed (xen-utils-4.17)")
        XCTAssertEqual(ConsoleClient.locate(version: .v4_17, environment: [:]), debian)
    }

    func testXlRunsXenconsoleWithTheConsoleFoundAndTheEscape() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("--host-dtb", try xl.dtbo("host.dtb", CreateFixtures.host), "list").status, 0)
        let config = CreateFixtures.config(kernel: try xl.file("Image", CreateFixtures.kernel),
                                           deviceTree: try xl.dtbo("guest.dtb", CreateFixtures.partial()), extra: "vuart = \"sbsa_uart\"")
        XCTAssertEqual(xl("create", try xl.file("midway.cfg", Array(config.utf8))).status, 0)
        let path = "/usr/lib/xen-4.20/bin/xenconsole"
        try xl.withHost { host in
            // A second PV console, as libxl_device_console_add writes one for devid 1.
            try host.xenstore.write("/local/domain/1/device/console/1/tty", string: "/dev/pts/9")
            let toolstack = Toolstack(hypervisor: host.hypervisor, xenstore: host.xenstore, bootTree: try host.bootTree(), output: { _ in })
            func argv(_ type: ConsoleType?, _ number: Int = 0, escape: String? = nil) throws -> [String] {
                let console = try toolstack.findConsole("midway", type: type, number: number, "console midway")
                return ConsoleClient.arguments(path, console, escape: escape)
            }
            XCTAssertEqual(try argv(nil), [path, "1", "--num", "0", "--type", "pv"], "the primary console of a PVH guest is PV console 0")
            XCTAssertEqual(try argv(.pv, 1), [path, "1", "--num", "1", "--type", "pv"])
            XCTAssertEqual(try argv(.vuart), [path, "1", "--num", "0", "--type", "vuart"])
            XCTAssertEqual(try argv(.pv, escape: "^a"), [path, "1", "--num", "0", "--type", "pv", "--escape", "^a"])
            XCTAssertEqual(try toolstack.findConsole("1", type: .pv, number: 1, "console 1").ttyNode, "/local/domain/1/device/console/1/tty")
            XCTAssertEqual(try toolstack.findConsole("1", type: .vuart, number: 0, "console 1").ttyNode, "/local/domain/1/vuart/0/tty")
            XCTAssertEqual(try toolstack.findConsole("1", type: nil, number: 0, "console 1").ttyNode, "/local/domain/1/console/tty")
        }
    }

    func testTheEscapeIsWhatXenconsoleAccepts() {
        for good in ["^]", "^a", "x", "~"] { XCTAssertTrue(ConsoleClient.isValidEscape(good), good) }
        for bad in ["", "ab", "^ab", "é", "^é", "a^"] { XCTAssertFalse(ConsoleClient.isValidEscape(bad), bad) }
    }

    func testAnExecThatCannotRunReturnsItsErrno() {
        XCTAssertEqual(ConsoleClient.exec(["/nonexistent/xenconsole", "1"]), .ENOENT)
        XCTAssertEqual(ConsoleClient.exec([]), .EINVAL)
    }
}
