import XCTest
final class XenStoreClientTestsPlaceholder: XCTestCase { func testNothing() {} }
