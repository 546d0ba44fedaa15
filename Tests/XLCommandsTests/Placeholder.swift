import XCTest
final class XLCommandsTestsPlaceholder: XCTestCase { func testNothing() {} }
