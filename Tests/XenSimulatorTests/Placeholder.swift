import XCTest
final class XenSimulatorTestsPlaceholder: XCTestCase { func testNothing() {} }
