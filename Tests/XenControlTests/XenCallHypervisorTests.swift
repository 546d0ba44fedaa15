// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenControl
import XenTypes

final class XenCallHypervisorTests: XCTestCase {
    private let blob: [UInt8] = [0xD0, 0x0D, 0xFE, 0xED, 0x00, 0x00, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8]

    func testAddOn4_19SubmitsSysctl30WithVersion0x15() throws {
        let transport = RecordingTransport()
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_19))
        try hypervisor.dtOverlay(.add, blob: blob)

        XCTAssertEqual(transport.requests.count, 1)
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.hypercall, 35)
        XCTAssertEqual(request.envelope.count, 136)
        XCTAssertEqual(Array(request.envelope[0..<24]), [
            0x1E, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        ])
        XCTAssertEqual(request.handleOffset, 8)
        XCTAssertEqual(request.buffer, blob)
    }

    func testRemoveOn4_21SubmitsSysctlWithVersion0x16() throws {
        let transport = RecordingTransport()
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_21))
        try hypervisor.dtOverlay(.remove, blob: blob)

        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.hypercall, 35)
        XCTAssertEqual(Array(request.envelope[0..<24]), [
            0x1E, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        ])
    }

    func testAttachOn4_22SubmitsDomctl87WithVersion0x18() throws {
        let transport = RecordingTransport()
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_22))
        try hypervisor.dtOverlayAttach(blob: blob, to: 5)

        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.hypercall, 36)
        XCTAssertEqual(request.envelope.count, 144)
        XCTAssertEqual(Array(request.envelope[0..<32]), [
            0x57, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
            0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        ])
        XCTAssertEqual(request.handleOffset, 16)
        XCTAssertEqual(request.buffer, blob)
    }

    func testTransportErrnoBecomesHypervisorError() {
        let transport = RecordingTransport()
        transport.failure = .EOPNOTSUPP
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_19))

        XCTAssertThrowsError(try hypervisor.dtOverlayAttach(blob: blob, to: 1)) { error in
            XCTAssertEqual(error as? HypervisorError, HypervisorError("XEN_DOMCTL_dt_overlay", errno: .EOPNOTSUPP))
        }
        transport.failure = .EINVAL
        XCTAssertThrowsError(try hypervisor.dtOverlay(.remove, blob: blob)) { error in
            XCTAssertEqual(error as? HypervisorError, HypervisorError("XEN_SYSCTL_dt_overlay", errno: .EINVAL))
        }
        XCTAssertEqual(transport.requests.count, 2)
    }

    func testUnsupportedReleaseSendsNothing() {
        let transport = RecordingTransport()
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_18))

        XCTAssertThrowsError(try hypervisor.dtOverlayAttach(blob: blob, to: 0)) { error in
            XCTAssertEqual((error as? HypervisorError)?.errno, .ENOSYS)
        }
        XCTAssertEqual(transport.requests, [])
    }

    func testTheBuilderAndEventChannelsNeedLibxenctrl() throws {
        let hypervisor = XenCallHypervisor(transport: RecordingTransport(), control: FixedControl(.v4_19))
        let ring = GuestEventChannel(port: 1, remote: .dom0)
        let image = GuestBootImage(memoryKiB: 65536, kernel: [], ramdisk: nil, deviceTree: [], cmdline: nil, vcpus: 1, store: ring, console: ring, vpl011: false)
        XCTAssertThrowsError(try hypervisor.loadKernel(1, image: image)) { error in
            XCTAssertEqual(error as? HypervisorError, HypervisorError("xc_dom_allocate", errno: .ENOSYS))
        }
        XCTAssertThrowsError(try hypervisor.allocateEventChannel(1, remote: .dom0)) { error in
            XCTAssertEqual(error as? HypervisorError, HypervisorError("xc_evtchn_alloc_unbound", errno: .ENOSYS))
        }
    }

    func testVersionIsReadOnce() throws {
        let control = FixedControl(.v4_20)
        let hypervisor = XenCallHypervisor(transport: RecordingTransport(), control: control)
        XCTAssertEqual(try hypervisor.version(), .v4_20)
        try hypervisor.dtOverlay(.add, blob: blob)
        try hypervisor.dtOverlayAttach(blob: blob, to: 0)
        XCTAssertEqual(try hypervisor.version(), .v4_20)
        XCTAssertEqual(control.versionQueries, 1)
    }

    func testDomainsComeFromTheControl() throws {
        let control = FixedControl(.v4_19)
        control.domainInfos = [
            DomainInfo(id: 0, memoryKiB: 1024, vcpus: 2, state: .running, cpuTimeNs: 7, directMapped: true),
        ]
        let hypervisor = XenCallHypervisor(transport: RecordingTransport(), control: control)
        XCTAssertEqual(try hypervisor.domains(), control.domainInfos)
    }

    /// The shared-page mapping refuses what the hypercall's 16-bit `size` cannot carry before reaching libxenctrl,
    /// and without libxenctrl (a test control) there is nothing to call.
    func testSharedPageMappingChecksItsBatchFirst() {
        let hypervisor = XenCallHypervisor(transport: RecordingTransport(), control: FixedControl(.v4_19))
        let errno = { (count: UInt64, gfn: UInt64) -> Errno? in
            do { _ = try hypervisor.mapSharedPages(2, from: 1, ownerGFN: 0x48100, gfn: gfn, count: count); return nil } catch {
                return (error as? HypervisorError)?.errno
            }
        }
        XCTAssertEqual(errno(0, 0x60500), .EINVAL)
        XCTAssertEqual(errno(65536, 0x60500), .EINVAL)
        XCTAssertEqual(errno(1, UInt64.max), .EINVAL)
        XCTAssertEqual(errno(65535, 0x60500), .ENOSYS)
        XCTAssertThrowsError(try hypervisor.removeFromPhysmap(2, gfn: 0x60500)) { XCTAssertEqual(($0 as? HypervisorError)?.errno, .ENOSYS) }
    }
}
