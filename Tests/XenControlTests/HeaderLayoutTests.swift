// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenControl
import XenSys

/// The hand-written envelope layout against the installed (4.17) headers. The envelopes are the
/// same on x86_64 and ARM64: the unions are padded to 128 bytes and the handle is a u64.
final class HeaderLayoutTests: XCTestCase {
    func testSysctlEnvelopeMatchesHeaders() {
        XCTAssertEqual(ABI.sysctlSize, DTOverlayHypercall.sysctlSize)
        XCTAssertEqual(ABI.sysctlSize, 136)
        XCTAssertEqual(ABI.sysctlPayloadOffset, 8)
    }

    func testDomctlEnvelopeMatchesHeaders() {
        XCTAssertEqual(ABI.domctlSize, DTOverlayHypercall.domctlSize)
        XCTAssertEqual(ABI.domctlSize, 144)
        XCTAssertEqual(ABI.domctlDomainOffset, 8)
        XCTAssertEqual(ABI.domctlPayloadOffset, 16)
    }
}
