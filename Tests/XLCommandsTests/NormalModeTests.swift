// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenTypes

/// Normal mode end to end in simulation: `xl dt-overlay add|remove FILE DOMAIN NODE_NAME TYPE
/// PARTIAL` in this process, the guest's `get_overlay.sh` + `get_overlay` in a child process, a
/// directory standing in for the guest's configfs.
final class NormalModeTests: XCTestCase {
    func testAddHandsTheGuestCopyToTheGuestThenRemoveAsksItFirst() throws {
        let xl = try XLRunner()
        let source = OverlaySources.device(extra: "interrupt-parent = <&gic>;")
        let path = try xl.dtbo("eth.dtbo", source)
        let guest = try NormalModeFixtures.domU(xl)
        let script = try GuestScript()

        var run = try NormalModeFixtures.guestScript(xl, guest, script: script)
        var result = xl("dt-overlay", "add", path, "guest", "eth", "normal", "0", "--timeout", "20")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")
        var answer = run.wait()
        XCTAssertEqual(answer.status, 0, answer.stderr)
        XCTAssertEqual(answer.stdout, "applied normal overlay eth\n")

        // The guest holds the rewritten copy, byte for byte what the rewrite makes.
        let applied = Array(try Data(contentsOf: script.item("eth").appendingPathComponent("dtbo")))
        let expected = try GuestOverlay.rewrite(try Overlay(try DeviceTree(validating: try DeviceTreeTools.compile(source))), host: try xl.withHost { try $0.bootTree() })
        XCTAssertEqual(applied, expected.bytes)
        XCTAssertEqual(try DeviceTreeTools.get(applied, ["-t", "s", "/fragment@0", "target-path"]), "/")
        XCTAssertEqual(try DeviceTreeTools.get(applied, ["-t", "x", "/fragment@0/__overlay__/ethernet@9100000", "interrupt-parent"]), "fde8")

        // Xen added the overlay and gave its devices to the guest.
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.overlays.first?.attachedTo, guest)
        XCTAssertEqual(state.domains.first { $0.id == guest }?.routedIRQs, [72, 73])
        XCTAssertTrue(xl("dt-overlay", "list").stdout.contains("eth.dtbo"))
        try NormalModeFixtures.assertNoHandoffLeft(xl, guest, "after add")

        run = try NormalModeFixtures.guestScript(xl, guest, script: script)
        result = xl("dt-overlay", "remove", path, "guest", "eth", "normal", "0", "--timeout", "20")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "domain \(guest) removed overlay eth; its devices stay with domain \(guest) until it is destroyed (Xen has no detach); then `xl dt-overlay remove \(path)` takes the nodes out of Xen\n")
        answer = run.wait()
        XCTAssertEqual(answer.stdout, "removed normal overlay eth\n", answer.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.item("eth").path))
        try NormalModeFixtures.assertNoHandoffLeft(xl, guest, "after remove")
        // Once the domain is gone, the host-only remove takes the nodes out.
        try xl.withHost { try $0.hypervisor.removeDomain(guest) }
        XCTAssertEqual(xl("dt-overlay", "remove", path).status, 0)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays }, [])
    }

    func testFPGAPartialOverlayGoesThroughTheFirmwarePath() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("fpga.dtbo", OverlaySources.device("fpga@9200000", address: 0x920_0000, spis: [50]))
        let guest = try NormalModeFixtures.domU(xl)
        let script = try GuestScript()
        let run = try NormalModeFixtures.guestScript(xl, guest, script: script)
        let result = xl("dt-overlay", "add", path, String(guest.rawValue), "pl0", "fpga", "1", "--timeout", "20")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(run.wait().stdout, "applied fpga overlay pl0\n")
        XCTAssertEqual(try String(contentsOf: script.item("pl0").appendingPathComponent("path"), encoding: .utf8), "pl0.dtbo")
        XCTAssertEqual(try String(contentsOf: script.flags, encoding: .utf8), "1\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: script.firmware.appendingPathComponent("pl0.dtbo").path))
    }

    func testDryRunPrintsThePlanAndTouchesNothing() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let before = xl.snapshot()
        let result = xl("-N", "dt-overlay", "add", path, "guest", "eth", "normal", "0")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("dry run: the guest copy of \(path) is "), result.stdout)
        XCTAssertTrue(result.stdout.contains("would hand it to domain \(guest) as normal overlay eth (partial 0) through /local/domain/\(guest)/data/overlay\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("would then call XEN_DOMCTL_dt_overlay (cmd 87) domain=\(guest) op=attach"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("would then tell domain \(guest) to apply it and wait for its answer\n"), result.stdout)
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testEverythingIsCheckedBeforeTheGuestIsAsked() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let prefix = "dt-overlay add \(path)"
        func refused(_ arguments: [String], _ message: String, line: UInt = #line) {
            let before = xl.snapshot()
            let result = xl.run(["dt-overlay", "add", path] + arguments + ["--timeout", "0.2"])
            XCTAssertEqual(result.status, 1, line: line)
            XCTAssertEqual(result.stderr, message + "\n", line: line)
            XCTAssertEqual(xl.snapshot(), before, line: line)
        }
        refused(["0", "eth", "normal", "0"], "\(prefix) 0: normal mode prepares the overlay for a domU; dom0 sees the host's device tree, use expert mode (xl dt-overlay add \(path) 0)")
        let clocks = try xl.dtbo("clk.dtbo", OverlaySources.device(extra: "clocks = <&clk 3>;"))
        let result = xl("dt-overlay", "add", clocks, "guest", "eth", "normal", "0")
        XCTAssertEqual(result.stderr, "dt-overlay add \(clocks) guest: overlay node /fragment@0/__overlay__/ethernet@9100000: property clocks references <&clk>, which the guest device tree has no equivalent for\n")
        let gpio = try xl.dtbo("gpio.dtbo", OverlaySources.device(extra: "interrupt-parent = <&gpio>;"))
        XCTAssertEqual(xl("dt-overlay", "add", gpio, "guest", "eth", "normal", "0").stderr,
                       "dt-overlay add \(gpio) guest: overlay node /fragment@0/__overlay__/ethernet@9100000: property interrupt-parent references <&gpio>, host node /pl061@9030000, which is not the GIC; the guest has no other interrupt controller\n")
        // The IRQs the attach needs are checked before the guest is asked.
        let held = try xl.dtbo("held.dtbo", OverlaySources.device("uart@9300000", address: 0x930_0000, spis: [41]))
        XCTAssertEqual(xl("dt-overlay", "add", held, "0").status, 0)
        refused(["guest", "eth", "normal", "0"], "\(prefix): IRQ 73 is already given to domain 0 by overlay \(held)")
        // No guest answers: nothing was changed.
        XCTAssertEqual(xl("dt-overlay", "remove", held, "0").status, 0)
        refused(["guest", "eth", "normal", "0"], "\(prefix) guest: domain \(guest) did not say it is waiting for an overlay within 0.2 s: run get_overlay.sh (or get_overlay) in the guest first; nothing was changed")
        try NormalModeFixtures.assertNoHandoffLeft(xl, guest)
    }

    func testRemoveChecksTheRecordBeforeTheGuestIsAsked() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let prefix = "dt-overlay remove \(path) guest"
        XCTAssertEqual(xl("dt-overlay", "remove", path, "guest", "eth", "normal", "0").stderr, "dt-overlay remove \(path): this overlay was never added (Xen matches overlays byte for byte; `xl dt-overlay list` shows what is added)\n")
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        XCTAssertEqual(xl("dt-overlay", "remove", path, "guest", "eth", "normal", "0").stderr, "\(prefix): the overlay is added but attached to no domain; remove it with `xl dt-overlay remove \(path)`\n")
        XCTAssertEqual(xl("dt-overlay", "attach", path, "0").status, 0)
        XCTAssertEqual(xl("dt-overlay", "remove", path, "guest", "eth", "normal", "0").stderr, "\(prefix): the overlay is attached to domain 0, not to domain \(guest)\n")
        XCTAssertEqual(xl("dt-overlay", "remove", path, "0", "eth", "normal", "0").stderr, "dt-overlay remove \(path) 0: normal mode is for a domU; remove what dom0 holds with `xl dt-overlay remove \(path) 0`\n")
    }

    func testTimeoutOptionIsCheckedAsUsage() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        for (arguments, message) in [
            (["0", "eth", "normal", "0", "--timeout", "0"], "--timeout 0.0: give more than 0 and at most 3600 seconds"),
            (["0", "eth", "normal", "0", "--timeout", "7200"], "--timeout 7200.0: give more than 0 and at most 3600 seconds"),
            (["0", "--timeout", "5"], "--timeout applies only to normal mode (DOMAIN NODE_NAME TYPE PARTIAL)"),
        ] {
            let result = xl.run(["dt-overlay", "add", path] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix(message), result.stderr)
        }
    }
}
