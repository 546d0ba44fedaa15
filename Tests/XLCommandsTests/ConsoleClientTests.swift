import Foundation
import XCTest
@testable import XLCommands
import XenTypes

/// Finding and running `xenconsole` for `xl create -c` on real Xen.
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

    func testXlRunsXenconsoleWithTheDomainAndPVConsoleZero() {
        XCTAssertEqual(ConsoleClient.arguments("/usr/lib/xen-4.20/bin/xenconsole", domain: 7),
                       ["/usr/lib/xen-4.20/bin/xenconsole", "7", "--num", "0", "--type", "pv"])
    }

    func testAnExecThatCannotRunReturnsItsErrno() {
        XCTAssertEqual(ConsoleClient.exec(["/nonexistent/xenconsole", "1"]), .ENOENT)
        XCTAssertEqual(ConsoleClient.exec([]), .EINVAL)
    }
}
