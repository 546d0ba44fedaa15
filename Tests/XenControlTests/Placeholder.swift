import XCTest
final class XenControlTestsPlaceholder: XCTestCase { func testNothing() {} }
