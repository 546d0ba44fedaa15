// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XLCommands
import XenSimulator

/// `Scripts/get_overlay.sh` on a directory standing in for configfs, and `get_overlay`'s own
/// arguments and refusals.
final class GetOverlayTests: XCTestCase {
    private func overlay(_ script: GuestScript) throws -> URL {
        let file = script.root.appendingPathComponent("in.dtbo")
        try Data(try DeviceTreeTools.overlay(ofSize: 900)).write(to: file)
        return file
    }

    func testNormalOverlayGoesIntoConfigfsAndRmdirTakesItOut() throws {
        let script = try GuestScript()
        let file = try overlay(script)
        var result = try script.run(["apply", "eth", "normal", "0", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "applied normal overlay eth\n")
        XCTAssertEqual(try Data(contentsOf: script.item("eth").appendingPathComponent("dtbo")), try Data(contentsOf: file))
        result = try script.run(["apply", "eth", "normal", "0", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "get_overlay.sh: overlay eth is already applied (\(script.item("eth").path) exists)\n")
        result = try script.run(["remove", "eth", "normal", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "removed normal overlay eth\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.item("eth").path))
        result = try script.run(["remove", "eth", "normal", "0"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "get_overlay.sh: overlay eth is not applied (no \(script.item("eth").path))\n")
    }

    func testFPGAFullAndPartialSetTheFlagsAndNameTheFirmware() throws {
        let script = try GuestScript()
        let file = try overlay(script)
        for (name, partial) in [("full", "0"), ("part", "1")] {
            let result = try script.run(["apply", name, "fpga", partial, file.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try String(contentsOf: script.flags, encoding: .utf8), partial + "\n", name)
            XCTAssertEqual(try String(contentsOf: script.item(name).appendingPathComponent("path"), encoding: .utf8), "\(name).dtbo")
            XCTAssertEqual(try Data(contentsOf: script.firmware.appendingPathComponent("\(name).dtbo")), try Data(contentsOf: file))
        }
        let result = try script.run(["remove", "part", "fpga", "1"])
        XCTAssertEqual(result.stdout, "removed fpga overlay part\n", result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.item("part").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.firmware.appendingPathComponent("part.dtbo").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: script.item("full").path))
    }

    func testTheScriptRefusesWhatItCannotDo() throws {
        let script = try GuestScript()
        let file = try overlay(script)
        let cases: [([String], Int32, String)] = [
            (["apply", "x", "bitstream", "0", file.path], 1, "get_overlay.sh: TYPE bitstream: give normal or fpga\n"),
            (["apply", "x", "fpga", "2", file.path], 1, "get_overlay.sh: PARTIAL 2: give 0 or 1\n"),
            (["apply", "x", "normal", "0", "/nonexistent.dtbo"], 1, "get_overlay.sh: no overlay file /nonexistent.dtbo\n"),
            (["apply", "x", "normal", "0"], 2, "get_overlay.sh: usage: get_overlay.sh apply NODE_NAME TYPE PARTIAL FILE\n"),
            (["remove", "x"], 2, "get_overlay.sh: usage: get_overlay.sh remove NODE_NAME TYPE PARTIAL\n"),
        ]
        for (arguments, status, message) in cases {
            let result = try script.run(arguments)
            XCTAssertEqual(result.status, status, "\(arguments)")
            XCTAssertEqual(result.stderr, message, "\(arguments)")
        }
        var environment = script.environment()
        environment["CONFIGFS"] = script.root.appendingPathComponent("unmounted").path
        let result = try script.run(["apply", "x", "normal", "0", file.path], environment: environment)
        XCTAssertEqual(result.stderr, "get_overlay.sh: no configfs overlay directory \(script.root.path)/unmounted/device-tree/overlays (mount configfs; the kernel needs OF_OVERLAY and its configfs interface)\n")
        try FileManager.default.removeItem(at: script.flags)
        let fpga = try script.run(["apply", "x", "fpga", "0", file.path])
        XCTAssertEqual(fpga.status, 1)
        XCTAssertEqual(fpga.stderr, "get_overlay.sh: no fpga manager: \(script.flags.path) is missing (the kernel needs FPGA_MGR and a driver for this FPGA)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.firmware.appendingPathComponent("x.dtbo").path), "nothing copied")
    }

    /// Without configfs overlays the script stops before get_overlay says `waiting`, so dom0 never hands over an
    /// overlay this domU cannot apply: nothing is written to the host.
    func testTheScriptRefusesToServeBeforeWaitingWhenItCannotApply() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("dt-overlay", "list").status, 0)
        let guest = try NormalModeFixtures.domU(xl)
        let script = try GuestScript()
        try FileManager.default.removeItem(at: script.configfs.appendingPathComponent("device-tree"))
        let before = xl.snapshot()
        let result = try NormalModeFixtures.guestScript(xl, guest, script: script, extra: ["--wait", "1"]).wait()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "get_overlay.sh: no configfs overlay directory \(script.configfs.path)/device-tree/overlays "
            + "(mount configfs; the kernel needs OF_OVERLAY and its configfs interface)\n")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(xl.snapshot(), before)
    }

    private func getOverlay(_ arguments: String...) -> (status: Int32, stdout: String, stderr: String) { getOverlay(arguments) }

    private func getOverlay(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let lock = NSLock()
        var out = ""
        var err = ""
        let output = Output(stdout: { text in lock.withLock { out += text } }, stderr: { text in lock.withLock { err += text } })
        let status = GetOverlayMain.run(arguments, environment: [:], output: output)
        return (status, out, err)
    }

    func testGetOverlayArgumentsAndRefusals() throws {
        for (arguments, message) in [
            (["--simulate", "/tmp"], "--simulate DIR and --domain N go together"),
            (["--report", "ab", "bogus"], "--report REQUEST takes applied, removed, or error REASON"),
            (["--report", "ab", "applied", "why"], "only error takes a reason"),
            (["--timeout", "0"], "--timeout 0.0: give more than 0 and at most 86400 seconds"),
            (["applied"], "unexpected argument applied (the outcome goes with --report REQUEST)"),
        ] {
            let result = getOverlay(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix("get_overlay: " + message), result.stderr)
        }
        XCTAssertEqual(getOverlay("--help").status, 0)
        let missing = try DeviceTreeTools.scratch().path
        XCTAssertEqual(getOverlay("--simulate", missing, "--domain", "1").stderr, "get_overlay: no simulated host in \(missing) (\(missing)/host.json is missing)\n")
        let xl = try XLRunner()
        XCTAssertEqual(xl("dt-overlay", "list").status, 0)
        XCTAssertEqual(getOverlay("--simulate", xl.directory, "--domain", "7").stderr, "get_overlay: the simulated host in \(xl.directory) has no domU 7\n")
        XCTAssertEqual(getOverlay("--simulate", xl.directory, "--domain", "0").stderr, "get_overlay: the simulated host in \(xl.directory) has no domU 0\n")
        let guest = try NormalModeFixtures.domU(xl)
        let stale = getOverlay("--simulate", xl.directory, "--domain", String(guest.rawValue), "--report", "0123", "applied")
        XCTAssertEqual(stale.status, 1)
        XCTAssertEqual(stale.stderr, "get_overlay: request 0123 is not open (domain 0 finished or withdrew it)\n")
        let waited = getOverlay("--simulate", xl.directory, "--domain", String(guest.rawValue), "--wait", "0.2")
        XCTAssertEqual(waited.stderr, "get_overlay: no request from domain 0 within 0.2 s\n")
    }

    func testWithoutXenGetOverlaySaysWhatItNeeds() throws {
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/xen/xenbus"), "this machine has a xenbus device")
        try XCTSkipIf(ProcessInfo.processInfo.environment["XENSTORED_PATH"] != nil, "XENSTORED_PATH is set")
        let result = getOverlay()
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("get_overlay: cannot open xenstore through /dev/xen/xenbus: "), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("; get_overlay runs inside a domU (or use --simulate DIR --domain N)\n"), result.stderr)
    }
}
