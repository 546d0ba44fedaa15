// SPDX-License-Identifier: Apache-2.0
import Foundation
import XCTest
import XenControl
import XenSys
import XenTypes

/// Opening the real backend on a host without Xen must fail with the errno libxencall saw.
final class OpenWithoutXenTests: XCTestCase {
    private var privcmdMissing: Bool {
        !FileManager.default.fileExists(atPath: "/dev/xen/privcmd")
            && !FileManager.default.fileExists(atPath: "/proc/xen/privcmd")
    }

    func testOpenFailsWithErrno() throws {
        var caught: HypervisorError?
        do throws(HypervisorError) {
            _ = try XenCallHypervisor.open()
        } catch {
            caught = error
        }
        guard let caught else { throw XCTSkip("Xen is reachable on this host") }
        print("XenCallHypervisor.open() without Xen: \(caught)")
        XCTAssertEqual(caught.operation, "open /dev/xen/privcmd")
        XCTAssertNotEqual(caught.errno.rawValue, 0)
        if privcmdMissing { XCTAssertEqual(caught.errno, .ENOENT) }
    }

    func testXenCallOpenFailsWithENOENT() throws {
        try XCTSkipUnless(privcmdMissing, "a privcmd device exists on this host")
        XCTAssertThrowsError(try XenCall()) { error in
            XCTAssertEqual(error as? Errno, .ENOENT)
        }
        XCTAssertThrowsError(try XenCtrl()) { error in
            XCTAssertEqual(error as? Errno, .ENOENT)
        }
    }
}

/// The grant devices are missing too: opening them fails with their path and errno, no crash.
final class GrantDevicesWithoutXenTests: XCTestCase {
    func testOpeningTheGrantDevicesFails() throws {
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/xen/gntdev"), "a gntdev device exists on this host")
        XCTAssertThrowsError(try GntDevMapper()) { error in
            XCTAssertEqual((error as? GrantError)?.operation, "open /dev/xen/gntdev")
            XCTAssertEqual((error as? GrantError)?.errno, .ENOENT)
        }
        XCTAssertThrowsError(try GntAllocSharer()) { error in
            XCTAssertEqual((error as? GrantError)?.operation, "open /dev/xen/gntalloc")
            XCTAssertEqual((error as? GrantError)?.errno, .ENOENT)
        }
    }
}
