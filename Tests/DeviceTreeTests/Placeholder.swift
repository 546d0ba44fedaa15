import XCTest
final class DeviceTreeTestsPlaceholder: XCTestCase { func testNothing() {} }
