import XCTest
@testable import XLConfig

final class SmokeTests: XCTestCase {
    func testOracleRuns() {
        let outcome = LibXLUtil.parse("a = [1, [2]]\nb = \"x\"\n", keys: ["a", "b", "c"])
        XCTAssertTrue(outcome.accepted, outcome.report)
        XCTAssertEqual(outcome.values["a"], .some(.list([.string("1"), .list([.string("2")])])))
        XCTAssertEqual(outcome.values["b"], .some(.string("x")))
        XCTAssertEqual(outcome.values["c"], .some(nil))
    }
}
