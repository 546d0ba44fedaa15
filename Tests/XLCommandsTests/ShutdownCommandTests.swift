// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenStoreClient
import XLCommands

/// `xl shutdown` and `xl reboot` in process (creates run with `-e`: no monitor), against the simulated guests'
/// PV control drivers; the monitor's side is in `MonitorTests`.
final class ShutdownCommandTests: XCTestCase {
    /// A host with the guest `g` (domain 1) created and running; `extra` lines go into its config.
    static func host(_ extra: String = "", monitors: Bool = false) throws -> XLRunner {
        let xl = try XLRunner()
        xl.monitors = monitors
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let config = "name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n" + extra
        let created = xl("create", try xl.file("g.cfg", Array(config.utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        return xl
    }

    private func refuses(_ xl: XLRunner, _ arguments: [String], status: Int32 = 1, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, file: file, line: line)
        XCTAssertEqual(xl.snapshot(), before, "\(arguments) changed the host", file: file, line: line)
    }

    private func domain(_ xl: XLRunner, _ id: UInt16) throws -> SimulatedDomain? {
        try xl.withHost { $0.hypervisor.state.domains.first { $0.id.rawValue == id } }
    }

    func testTheGuestAnnouncesItsPVControlAtBoot() throws {
        let xl = try Self.host()
        let store = try SharedXenStore(directory: xl.directory, caller: .dom0)
        for feature in ["poweroff", "reboot", "suspend"] {
            XCTAssertEqual(try store.readString("/local/domain/1/control/feature-\(feature)"), "1")
            // Written by the guest itself: the node stays the guest's.
            XCTAssertEqual(try store.permissions("/local/domain/1/control/feature-\(feature)", in: nil).first?.domain, 1)
        }
    }

    func testShutdownGoesThroughTheControlNodeAndTheGuestPowersOff() throws {
        let xl = try Self.host()
        let result = xl("shutdown", "g")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")
        let guest = try XCTUnwrap(try domain(xl, 1))
        XCTAssertTrue(guest.state.contains(.shutdown))
        XCTAssertEqual(guest.shutdownReason, ShutdownReason.poweroff.rawValue)
        // Acknowledged: the guest emptied the node.
        XCTAssertEqual(try SharedXenStore(directory: xl.directory, caller: .dom0).readString("/local/domain/1/control/shutdown"), "")
        XCTAssertEqual(xl("list").stdout.split(separator: "\n").last.map { $0.contains("---s--") }, true)
        XCTAssertTrue(guest.guest?.console?.contains("control/shutdown poweroff: powering off") == true)
    }

    func testRebootByIDShutsDownWithTheRebootReason() throws {
        let xl = try Self.host()
        XCTAssertEqual(xl("reboot", "1").status, 0)
        XCTAssertEqual(try domain(xl, 1)?.shutdownReason, ShutdownReason.reboot.rawValue)
        XCTAssertTrue(xl("list").stdout.contains("---sr-"))
    }

    func testAGuestWithoutPVDriversIsRefusedUnlessF() throws {
        let xl = try Self.host("cmdline = \"console=hvc0 xen_nopv\"\n")
        refuses(xl, ["shutdown", "g"], "shutdown g: domain 1 has no PV control interface (/local/domain/1/control/feature-poweroff is not set: "
            + "the guest has no Xen PV drivers, or has not started them yet), so a graceful shutdown is not possible; "
            + "use -F to shut it down through the hypervisor (SCHEDOP_remote_shutdown, reason poweroff)")
        XCTAssertEqual(xl("shutdown", "-F", "g").status, 0)
        XCTAssertEqual(try domain(xl, 1)?.shutdownReason, ShutdownReason.poweroff.rawValue)
    }

    func testAPausedGuestCannotAnswer() throws {
        let xl = try Self.host()
        XCTAssertEqual(xl("pause", "g").status, 0)
        refuses(xl, ["reboot", "g"], "reboot g: domain 1 is paused, so its guest cannot answer the request; unpause it first, or use -F to shut it down through the hypervisor")
        XCTAssertEqual(xl("reboot", "-F", "g").status, 0)
        XCTAssertEqual(try domain(xl, 1)?.shutdownReason, ShutdownReason.reboot.rawValue)
    }

    func testBadInputIsOneLineAndChangesNothing() throws {
        let xl = try Self.host()
        refuses(xl, ["shutdown", "nosuch"], "shutdown nosuch: nosuch is not the name or id of any domain")
        refuses(xl, ["reboot", "7"], "reboot 7: domain 7 does not exist")
        refuses(xl, ["shutdown", "0"], "shutdown 0: domain 0 runs this toolstack; shut the host down from dom0 itself (poweroff or reboot there)")
        refuses(xl, ["shutdown"], status: 2, "give a domain, or -a for all domains")
        refuses(xl, ["shutdown", "-a", "g"], status: 2, "-a covers every domain; \"g\" is one too many")
        refuses(xl, ["reboot", "-x", "g"], status: 2, "Unknown option '-x'")
        XCTAssertEqual(xl("shutdown", "g").status, 0)
        refuses(xl, ["shutdown", "g"], "shutdown g: domain 1 has already shut down (poweroff); xl destroy 1 removes it")
    }

    func testDryRunWritesNothing() throws {
        let xl = try Self.host()
        let before = xl.snapshot()
        let result = xl("-N", "shutdown", "g")
        XCTAssertEqual(result.stdout, "dry run: would write /local/domain/1/control/shutdown = \"poweroff\" and wait for domain 1 to acknowledge it\n")
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testAllSkipsDom0AndWaitReturnsOnShutdown() throws {
        let xl = try Self.host()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        XCTAssertEqual(xl("create", try xl.file("h.cfg", Array("name = \"h\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8))).status, 0)
        let result = xl("-v", "shutdown", "--all", "--wait")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("Waiting for 2 domains"), result.stderr)
        let states = try xl.withHost { $0.hypervisor.state.domains.map { ($0.id.rawValue, $0.state.contains(.shutdown)) } }
        XCTAssertEqual(states.map(\.0), [0, 1, 2])
        XCTAssertEqual(states.map(\.1), [false, true, true])
    }

    func testRebootOfABootTimeDomainIsRefused() throws {
        let xl = try Self.host()
        // init-dom0less's stub record: no kernel, since Xen built the domain at boot.
        try xl.withHost { host in
            try host.xenstore.write("/libxl/1/libxl-json", string: "{\"b_info\":{\"max_memkb\":65536,\"max_vcpus\":1,\"target_memkb\":65536},\"c_info\":{\"name\":\"g\",\"type\":\"pvh\",\"uuid\":\"6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55\"}}")
        }
        refuses(xl, ["reboot", "g"], "reboot g: domain 1 was built by Xen at boot (dom0less) and no toolstack can build it again, so a reboot would only leave it shut down; use xl shutdown to stop it, or reboot the host")
        XCTAssertEqual(xl("shutdown", "g").status, 0)
    }

    func testCreateOptions() throws {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let file = try xl.file("q.cfg", Array("name = \"q\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8))
        // xendomains: the name from --quiet --dryrun --defconfig, as its sed expression reads it.
        let dry = xl("create", "--quiet", "--dryrun", "--defconfig", file)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.split(separator: "\n").contains("        \"name\": \"q\","), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: xl.directory + "/log"))
        refuses(xl, ["create", "-V", file], "create: -V: ARM guests have no VNC server (no vfb or device model on ARM), so there is nothing for vncviewer to attach to; use -c for the console")
        refuses(xl, ["create", "--vncviewer-autopass", file], "create: -A: ARM guests have no VNC server (no vfb or device model on ARM), so there is nothing for vncviewer to attach to; use -c for the console")
        refuses(xl, ["create"], status: 2, "no configuration file: give it as xl create FILE or xl create -f FILE")
        refuses(xl, ["create", "-F", file], status: 2, "-e and -F contradict each other: -e leaves no monitor, -F stays as the monitor")
        refuses(xl, ["create", "-f", file, file], status: 2, "-f \(file) already gives the configuration file; \"\(file)\" is not KEY=VALUE")
        let debug = xl("create", "-d", "-q", "-f", file, "memory=96")
        XCTAssertEqual(debug.status, 0, debug.stderr)
        XCTAssertTrue(debug.stdout.contains("\"target_memkb\": 98304"), debug.stdout)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains.count }, 2)
    }

    func testWithoutAnExecutableCreateNeedsEOrF() throws {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let file = try xl.file("q.cfg", Array("name = \"q\"\nkernel = \"\(kernel)\"\n".utf8))
        XCTAssertEqual(xl("list").status, 0)
        xl.monitors = true
        let before = xl.snapshot()
        let output = Output(stdout: { _ in }, stderr: { _ in })
        XCTAssertEqual(XLMain.run(["create", file], environment: xl.environment, output: output, executable: nil), 1)
        XCTAssertEqual(xl.snapshot(), before)
    }
}
