import XCTest
final class XLConfigTestsPlaceholder: XCTestCase { func testNothing() {} }
