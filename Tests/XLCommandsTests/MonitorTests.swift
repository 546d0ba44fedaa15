// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenControl
import XenSimulator

/// The monitor `xl create` leaves behind, run as the built `xl` in the background: every `on_*` action for the
/// guest's shutdown reasons, one monitor per domain, `shutdown -ww` and `reboot` under the same name.
final class MonitorTests: XCTestCase {
    private var hosts: [XLRunner] = []

    override func setUpWithError() throws {
        try XCTSkipIf(XLRunner.binary == nil, "xl is not built next to the tests")
    }

    /// Stops the monitors these tests started (by the pids their lock files record).
    override func tearDown() {
        for xl in hosts {
            let directory = xl.directory + "/monitors"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + name
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                // Only a process still holding the lock is one of ours.
                let descriptor = open(path, O_RDWR)
                if descriptor >= 0 {
                    if flock(descriptor, LOCK_EX | LOCK_NB) != 0 { kill(pid, SIGKILL) }
                    close(descriptor)
                }
            }
        }
    }

    private func host(_ extra: String) throws -> XLRunner {
        let xl = try ShutdownCommandTests.host(extra, monitors: true)
        hosts.append(xl)
        return xl
    }

    private func log(_ xl: XLRunner) -> String {
        (try? String(contentsOfFile: xl.directory + "/log/xl-g.log", encoding: .utf8)) ?? ""
    }

    /// Waits (up to 20 s) until `condition` holds on the host's state.
    private func eventually(_ xl: XLRunner, _ what: String, file: StaticString = #filePath, line: UInt = #line,
                            _ condition: (SimulatedHostState, String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try xl.withHost({ condition($0.hypervisor.state, try $0.xenstore.readString("/local/domain/1/name") ?? "") }) { return }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what); log:\n\(log(xl))", file: file, line: line)
    }

    private func names(_ xl: XLRunner) -> [String] {
        xl("list").stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").first ?? "") }
    }

    private func monitorGone(_ xl: XLRunner, _ id: UInt16) -> Bool {
        let descriptor = open(xl.directory + "/monitors/\(id).lock", O_RDWR)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }

    private func shutDown(_ xl: XLRunner, _ reason: ShutdownReason) throws {
        try xl.withHost { try $0.hypervisor.guestShutdown(1, reason: reason) }
    }

    private func waitForMonitor(_ xl: XLRunner, _ id: UInt16 = 1) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !log(xl).contains("(domid \(id)) to die") { usleep(20_000) }
        XCTAssertTrue(log(xl).contains("Waiting for domain g (domid \(id)) to die [pid "), log(xl))
    }

    func testDestroyAndPreserveForEachReason() throws {
        let cases: [(String, ShutdownReason)] = [
            ("on_poweroff = \"destroy\"", .poweroff), ("on_reboot = \"destroy\"", .reboot), ("on_crash = \"destroy\"", .crash),
            ("on_watchdog = \"destroy\"", .watchdog), ("on_soft_reset = \"soft-reset\"", .softReset),
            ("on_crash = \"coredump-destroy\"", .crash),
        ]
        for (line, reason) in cases {
            let xl = try host(line + "\n")
            try waitForMonitor(xl)
            try shutDown(xl, reason)
            try eventually(xl, "\(line): destroyed") { state, _ in state.domains.count == 1 }
            XCTAssertTrue(log(xl).contains("Action for shutdown reason code \(reason.rawValue) is"), log(xl))
            XCTAssertTrue(log(xl).contains("Domain 1 needs to be cleaned up: destroying the domain"), log(xl))
            XCTAssertFalse(try SharedXenStore(directory: xl.directory, caller: .dom0).exists("/local/domain/1"))
            if line.contains("coredump") { XCTAssertTrue(log(xl).contains("core dump failed: Xen on ARM cannot dump"), log(xl)) }
            if reason == .softReset { XCTAssertTrue(log(xl).contains("soft reset: Xen on ARM has no soft reset"), log(xl)) }
        }
        let xl = try host("on_crash = \"preserve\"\n")
        try waitForMonitor(xl)
        try shutDown(xl, .crash)
        try eventually(xl, "the monitor to leave") { _, _ in monitorGone(xl, 1) }
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains.first { $0.id == 1 }?.shutdownReason }, ShutdownReason.crash.rawValue)
        XCTAssertTrue(xl("list").stdout.contains("---sc-"))
        XCTAssertTrue(log(xl).hasSuffix("Done. Exiting now\n"), log(xl))
    }

    func testRestartActionsBringTheDomainBackUnderItsName() throws {
        let cases: [(String, ShutdownReason)] = [
            ("on_reboot = \"restart\"", .reboot), ("on_poweroff = \"restart\"", .poweroff), ("on_watchdog = \"restart\"", .watchdog),
            ("on_crash = \"coredump-restart\"", .crash), ("on_crash = \"rename-restart\"", .crash),
        ]
        for (line, reason) in cases {
            let xl = try host(line + "\n")
            try waitForMonitor(xl)
            try shutDown(xl, reason)
            try eventually(xl, "\(line): domain 2") { state, _ in state.domains.contains { $0.id == 2 } }
            try waitForMonitor(xl, 2)
            let listed = names(xl)
            if line.contains("rename") {
                XCTAssertEqual(listed.count, 3)
                XCTAssertTrue(listed[1].hasPrefix("g-") && listed[1].hasSuffix("Z"), "\(listed)")
                XCTAssertEqual(listed[2], "g")
            } else {
                XCTAssertEqual(listed, ["Domain-0", "g"])
            }
            XCTAssertEqual(xl("destroy", "g").status, 0)
            try eventually(xl, "the monitor to leave") { _, _ in monitorGone(xl, 2) }
            XCTAssertTrue(log(xl).hasSuffix("Domain 2 has been destroyed.\n"), log(xl))
        }
    }

    func testRebootAndShutdownWaitWithTheMonitor() throws {
        let xl = try host("")
        try waitForMonitor(xl)
        XCTAssertEqual(xl("reboot", "g").status, 0)
        try eventually(xl, "the reboot") { state, _ in state.domains.contains { $0.id == 2 } }
        XCTAssertEqual(names(xl), ["Domain-0", "g"])
        try waitForMonitor(xl, 2)
        // -ww: until the monitor destroyed it (on_poweroff's default), then xenstore is as before the create.
        let result = xl("shutdown", "-ww", "g")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(names(xl), ["Domain-0"])
        XCTAssertEqual(try SharedXenStore(directory: xl.directory, caller: .dom0).directory("/local/domain", in: nil), ["0"])
    }

    func testASecondMonitorIsRefused() throws {
        let xl = try host("")
        try waitForMonitor(xl)
        let before = xl.snapshot()
        let second = xl("monitor", "g")
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.hasPrefix("monitor g: domain 1 already has a monitor (pid "), second.stderr)
        XCTAssertEqual(second.stderr.split(separator: "\n").count, 1)
        XCTAssertEqual(xl.snapshot(), before)
        XCTAssertEqual(xl("destroy", "g").status, 0)
        try eventually(xl, "the monitor to leave") { _, _ in monitorGone(xl, 1) }
    }
}
