// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenTypes

/// `init-dom0less` killed with SIGKILL before each of its steps: `xl list` shows every domain Xen
/// built, and a re-run of `init-dom0less` finishes what was left half done, ending where an
/// uninterrupted run ends (random uuids and start times aside).
final class InitDom0lessKillPointTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipIf(KillPoints.binary("init-dom0less") == nil || KillPoints.binary("xl") == nil,
                      "init-dom0less and xl are not built next to the tests")
    }

    private static let uuid = try? NSRegularExpression(pattern: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    private static let startTime = try? NSRegularExpression(pattern: "(/start_time = )\"[0-9.]*\"")

    /// Random uuids and the wall clock differ run to run.
    private static func normalise(_ text: String) -> String {
        var text = text
        for (expression, template) in [(uuid, "UUID"), (startTime, "$1\"TIME\"")] {
            guard let expression else { continue }
            text = expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    private func dom0lessCase(_ version: XenVersion) -> KillPointCase {
        KillPointCase(
            binary: "init-dom0less",
            setup: { host in
                try host.boot(hostDTB: try Dom0lessFixtures.tree(Dom0lessFixtures.twoEnhanced), version: version)
            },
            command: { _ in [] },
            cleanUp: { host, context in
                let listed = try host.listedDomains()
                XCTAssertTrue(listed.truthful, "\(context): xl list\n\(listed.output)")
                let rerun = try host.run([], binary: "init-dom0less")
                XCTAssertEqual(rerun.status, 0, "\(context): init-dom0less again: \(rerun.stdout)\(rerun.stderr)")
            },
            ignoring: ["handle"], normalise: Self.normalise)
    }

    private func check(_ version: XenVersion, realXenstored: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try dom0lessCase(version).check(realXenstored: realXenstored)
        for failure in report.failures { XCTFail(failure, file: file, line: line) }
        XCTAssertEqual(report.cleaned, report.points, "kill points cleaned up", file: file, line: line)
        print("kill points: init-dom0less on Xen \(version) (\(realXenstored ? "real xenstored" : "xenstore.json")): \(report.cleaned) of \(report.points) cleaned up")
    }

    func testOn419AKilledRunIsFinishedByARerun() throws {
        try check(.v4_19, realXenstored: false)
    }

    func testOn421AKilledRunIsFinishedByARerun() throws {
        try check(.v4_21, realXenstored: false)
    }

    func testOn419WithTheRealXenstored() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        try check(.v4_19, realXenstored: true)
    }
}
