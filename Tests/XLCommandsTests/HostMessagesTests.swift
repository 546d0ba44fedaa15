// SPDX-License-Identifier: Apache-2.0
import Foundation
import XCTest
import XenControl
import XenTypes
@testable import XLCommands

/// The lines about the host itself: a simulated host made on first use, and Xen out of reach.
final class HostMessagesTests: XCTestCase {
    private func run(_ arguments: [String], environment: [String: String]) -> (Int32, String, String) {
        var out = "", err = ""
        let status = XLMain.run(arguments, environment: environment, output: Output(stdout: { out += $0 }, stderr: { err += $0 }))
        return (status, out, err)
    }

    func testANewSimulatedHostIsAnnouncedOnceOnStderr() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("host-messages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let directory = base.appendingPathComponent("typo").path
        var (status, out, err) = run(["--simulate", directory, "list"], environment: [:])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(err, "created a new simulated Xen 4.19 host in \(directory)\n")
        XCTAssertTrue(out.hasPrefix("Name "), "stdout carries only the listing")
        (status, _, err) = run(["--simulate", directory, "list"], environment: [:])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(err, "", "an existing host is not announced")

        let other = base.appendingPathComponent("fork").path
        (status, _, err) = run(["--xen-version", "4.17", "--xen-flavour", "xilinx", "list"], environment: ["XL_SIMULATE": other])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(err, "created a new simulated Xen 4.17 (xilinx) host in \(other)\n", "XL_SIMULATE naming a new directory")
    }

    func testRefusedPermissionSaysRunAsRootWithoutTheSimulator() {
        for errno in [Errno.EACCES, .EPERM] {
            let message = HostMessages.unreachable(HypervisorError("open /dev/xen/privcmd", errno: errno)).message
            XCTAssertEqual(message, "permission denied opening Xen's control device (open /dev/xen/privcmd: \(errno.name)); run as root")
            XCTAssertFalse(message.contains("simulate"))
        }
        let missing = HostMessages.unreachable(HypervisorError("open /dev/xen/privcmd", errno: .ENOENT)).message
        XCTAssertTrue(missing.hasPrefix("Xen is not reachable on this machine (open /dev/xen/privcmd: ENOENT)"), missing)
        XCTAssertTrue(missing.hasSuffix("use --simulate DIR or XL_SIMULATE=DIR"), missing)
    }
}
