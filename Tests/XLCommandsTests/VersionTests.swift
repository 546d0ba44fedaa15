// SPDX-License-Identifier: Apache-2.0
import XCTest
import XLCommands

/// `--version` of the three tools: one line on stdout, status 0, the same version from `ToolVersion`.
final class VersionTests: XCTestCase {
    private func run(_ main: ([String], [String: String], Output) -> Int32, _ arguments: [String]) -> (Int32, String, String) {
        var out = "", err = ""
        let status = main(arguments, [:], Output(stdout: { out += $0 }, stderr: { err += $0 }))
        return (status, out, err)
    }

    func testEachToolPrintsTheOneVersion() {
        let xl = run({ XLMain.run($0, environment: $1, output: $2) }, ["--version"])
        XCTAssertEqual(xl.0, 0)
        XCTAssertEqual(xl.1, "xl (xl-swift) \(ToolVersion.number)\n")
        XCTAssertEqual(xl.2, "")
        let dom0less = run({ InitDom0lessMain.run($0, environment: $1, output: $2) }, ["--version"])
        XCTAssertEqual(dom0less.0, 0)
        XCTAssertEqual(dom0less.1, "init-dom0less (xl-swift) \(ToolVersion.number)\n")
        let get = run({ GetOverlayMain.run($0, environment: $1, output: $2) }, ["--version"])
        XCTAssertEqual(get.0, 0)
        XCTAssertEqual(get.1, "get_overlay (xl-swift) \(ToolVersion.number)\n")
        XCTAssertTrue(ToolVersion.number.split(separator: ".").count == 3 && ToolVersion.number.allSatisfy { $0.isNumber || $0 == "." })
    }

    func testVersionGoesBeforeTheSubcommand() {
        // After the subcommand it is the subcommand's option, which list does not have: a usage error.
        let listed = run({ XLMain.run($0, environment: $1, output: $2) }, ["list", "--version"])
        XCTAssertEqual(listed.0, 2)
    }

    func testAGlobalOptionErrorIsOneLineThatNamesXl() {
        let bad = run({ XLMain.run($0, environment: $1, output: $2) }, ["--bogus", "list"])
        XCTAssertEqual(bad.0, 2)
        XCTAssertEqual(bad.2, "xl: Unknown option '--bogus' (global options come before the subcommand; see xl -h)\n")
        XCTAssertFalse(bad.2.contains("global ["), "the option group's internal name stays out")
    }
}
