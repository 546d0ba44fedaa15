// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenSys
import XenTypes

@testable import XenControl

/// `xc_domaininfo_t` to ``DomainInfo``; the flag values are those of `xen/domctl.h` and `xen/sched.h`.
final class DomainInfoMappingTests: XCTestCase {
    func testRunningDomain0() {
        let raw = XenDomainInfo(domid: 0, flags: 0x20, totalPages: 0x40000, onlineVCPUs: 4, cpuTimeNs: 123_456_789)
        let info = DomainInfo(xenctrl: raw)
        XCTAssertEqual(info, DomainInfo(id: 0, memoryKiB: 1_048_576, vcpus: 4, state: .running,
                                        cpuTimeNs: 123_456_789, directMapped: true, handle: Array(repeating: 0, count: 16)))
        XCTAssertEqual(info.listColumn, "r-----")
    }

    func testTheHandleAndThePoolAreXens() {
        let handle: [UInt8] = Array(1...16)
        let info = DomainInfo(xenctrl: XenDomainInfo(domid: 2, flags: 0x20, totalPages: 1, onlineVCPUs: 1, cpuTimeNs: 0, handle: handle, cpupool: 3))
        XCTAssertEqual(info.handle, handle)
        XCTAssertEqual(info.cpupool, 3)
    }

    func testOtherDomainsAreNotKnownToBeDirectMapped() {
        let info = DomainInfo(xenctrl: XenDomainInfo(domid: 3, flags: 0x10, totalPages: 256, onlineVCPUs: 1, cpuTimeNs: 0))
        XCTAssertNil(info.directMapped)
        XCTAssertEqual(info.memoryKiB, 1024)
        XCTAssertEqual(info.state, .blocked)
    }

    func testStateBits() {
        func column(_ flags: UInt32) -> String {
            DomainInfo(xenctrl: XenDomainInfo(domid: 1, flags: flags, totalPages: 0, onlineVCPUs: 0, cpuTimeNs: 0)).listColumn
        }
        XCTAssertEqual(column(0x08), "--p---")
        XCTAssertEqual(column(0x01), "-----d")
        // Shut down (bit 2) with reason SHUTDOWN_poweroff (0) and SHUTDOWN_crash (3) in bits 16-23.
        XCTAssertEqual(column(0x0000_0004), "---s--")
        XCTAssertEqual(column(0x0003_0004), "---sc-")
        // The fifth letter is upstream's shutdown reason: reboot, suspend, watchdog, soft reset, unknown.
        XCTAssertEqual(column(0x0001_0004), "---sr-")
        XCTAssertEqual(column(0x0002_0004), "---ss-")
        XCTAssertEqual(column(0x0004_0004), "---sw-")
        XCTAssertEqual(column(0x0005_0004), "---sS-")
        XCTAssertEqual(column(0x0009_0004), "---s?-")
        // A crash reason without the shutdown bit is not a crash.
        XCTAssertEqual(column(0x0003_0000), "------")
        XCTAssertEqual(column(0x0000_0018), "-bp---")
    }
}
