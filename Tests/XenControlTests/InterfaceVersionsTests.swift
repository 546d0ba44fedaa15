// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenControl
import XenTypes

/// The table in upstream-xen.md §1.5.
final class InterfaceVersionsTests: XCTestCase {
    func testSysctlVersions() {
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_17), 0x15)
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_18), 0x15)
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_19), 0x15)
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_20), 0x15)
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_21), 0x16)
        XCTAssertEqual(InterfaceVersions.sysctl(for: .v4_22), 0x16)
    }

    func testDomctlVersions() {
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_17), 0x15)
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_18), 0x16)
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_19), 0x17)
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_20), 0x17)
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_21), 0x17)
        XCTAssertEqual(InterfaceVersions.domctl(for: .v4_22), 0x18)
    }

    func testReleasesOutsideTheTableHaveNoVersion() {
        XCTAssertNil(InterfaceVersions.sysctl(for: XenVersion(4, 16)))
        XCTAssertNil(InterfaceVersions.domctl(for: XenVersion(4, 16)))
        XCTAssertNil(InterfaceVersions.sysctl(for: XenVersion(5, 0)))
        XCTAssertNil(InterfaceVersions.domctl(for: XenVersion(5, 0)))
    }
}
