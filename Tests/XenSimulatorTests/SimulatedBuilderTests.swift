// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// The simulated libxenguest builder and event channels, at the `DomainControl` seam.
final class SimulatedBuilderTests: XCTestCase {
    private var xen: SimulatedHypervisor!
    private var domain: DomainID!

    override func setUpWithError() throws {
        xen = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, hostTree: try DefaultHostTree.make()))
        domain = try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 1, count: 16), maxVCPUs: 1, gic: .native, nrSPIs: 1, iommu: false)).id
        try xen.setMaxVCPUs(domain, count: 1)
        try xen.setPagingPool(domain, bytes: 1 << 20)
    }

    private func errno(_ body: () throws -> Void) -> Errno? {
        do { try body(); return nil } catch { return (error as? HypervisorError)?.errno }
    }

    private func failure(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch {
            return (error as? HypervisorError).map { "\($0.operation) \($0.errno.name)" + ($0.reason.map { " (\($0))" } ?? "") }
        }
    }

    /// An arm64 Image of `bytes` bytes with the given `text_offset`.
    private func kernel(_ bytes: Int = 4096, textOffset: UInt64 = 0) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: bytes)
        image.replaceSubrange(0x38..<0x3C, with: Array("ARM\u{64}".utf8))
        for index in 0..<8 { image[8 + index] = UInt8(truncatingIfNeeded: textOffset >> (8 * index)) }
        return image
    }

    private func tree(initrd: Bool) throws -> [UInt8] {
        try DeviceTreeTools.compile("/dts-v1/; / { chosen { \(initrd ? "linux,initrd-start = <0 0>; linux,initrd-end = <0 0>;" : "") }; };")
    }

    private func image(memoryKiB: UInt64 = 65536, kernel: [UInt8]? = nil, ramdisk: [UInt8]? = nil, vpl011: Bool = false) throws -> GuestBootImage {
        GuestBootImage(memoryKiB: memoryKiB, kernel: kernel ?? self.kernel(), ramdisk: ramdisk, deviceTree: try tree(initrd: ramdisk != nil),
                       cmdline: "console=hvc0", vcpus: 1, store: GuestEventChannel(port: 1, remote: .dom0),
                       console: GuestEventChannel(port: 2, remote: .dom0), vpl011: vpl011)
    }

    func testEventChannelsAreTheLowestFreePortsUntilTheyRunOut() throws {
        XCTAssertEqual(try xen.allocateEventChannel(domain, remote: .dom0), 1)
        XCTAssertEqual(try xen.allocateEventChannel(domain, remote: 5), 2)
        XCTAssertEqual(xen.state.domains.last?.eventChannels, [SimulatedEventChannel(port: 1, remote: .dom0), SimulatedEventChannel(port: 2, remote: 5)])
        XCTAssertEqual(errno { _ = try xen.allocateEventChannel(77, remote: .dom0) }, .ESRCH)
        for _ in 3..<SimulatedHypervisor.eventChannelPorts { _ = try xen.allocateEventChannel(domain, remote: .dom0) }
        XCTAssertEqual(errno { _ = try xen.allocateEventChannel(domain, remote: .dom0) }, .ENOSPC)
        try xen.destroy(domain)
        XCTAssertNil(xen.state.domains.first { $0.id == domain })
    }

    func testTheBuilderSetsUpTheMagicPagesAndParameters() throws {
        try xen.setMaxMemory(domain, kib: 65536 + 1024)
        let result = try xen.loadKernel(domain, image: image())
        XCTAssertEqual(result.storeGFN, 0x39001)
        XCTAssertEqual(result.consoleGFN, 0x39000)
        XCTAssertNil(result.vpl011)
        XCTAssertEqual(result.layout.kernelStart, 0x4000_0000)
        XCTAssertEqual(result.layout.deviceTreeStart, 0x4000_0000 + (64 << 20) - 4096, "below 128 MiB of RAM: at the top of bank 0")
        let guest = try XCTUnwrap(xen.state.domains.last?.guest)
        XCTAssertEqual(guest.parameters, SimulatedGuestParameters(storePFN: 0x39001, storeEventChannel: 1, consolePFN: 0x39000,
                                                                   consoleEventChannel: 2, callbackIRQ: GuestCallback.irq))
        XCTAssertEqual(xen.state.domains.last?.memoryKiB, 65536 + 16)
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image()) }, "xc_dom_boot_mem_init ENOMEM", "the RAM is there already")
    }

    func testTheBuilderFailsWhereLibxenguestDoes() throws {
        try xen.setMaxMemory(domain, kib: 65536)
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image(kernel: [UInt8](repeating: 7, count: 4096))) },
                       "xc_dom_parse_image EINVAL (xc_dom_find_loader: no loader found)", "libxenguest's reason comes with the errno")
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image(kernel: kernel(textOffset: UInt64.max - 10))) },
                       "xc_dom_parse_image EINVAL")
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image(kernel: kernel(textOffset: 1 << 30))) },
                       "xc_dom_build_image ENOMEM", "a kernel beyond RAM")
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image(memoryKiB: 512)) }, "xc_dom_boot_mem_init ENOMEM", "no whole MiB")
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image(memoryKiB: 65536 + 1024)) }, "xc_dom_boot_mem_init ENOMEM",
                       "RAM over max_pages")
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image()) }, "xc_dom_build_image EBUSY",
                       "RAM fits, the four magic pages do not")
        XCTAssertEqual(failure { _ = try xen.loadKernel(77, image: try image()) }, "xc_dom_boot_xen_init ESRCH")
        try xen.setMaxMemory(domain, kib: 65536 + 1024)
        xen.state.injectedFailures["xc_dom_gnttab_init"] = .EIO
        XCTAssertEqual(failure { _ = try xen.loadKernel(domain, image: try image()) }, "xc_dom_gnttab_init EIO")
        XCTAssertNil(xen.state.domains.last?.guest?.layout, "nothing is recorded for a failed build")
        XCTAssertNotNil(try xen.loadKernel(domain, image: try image()))
    }

    func testTheP2MPoolAndVCPUsMustBeSetUpFirst() throws {
        let other = try xen.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 3, count: 16), maxVCPUs: 2, gic: .native, nrSPIs: 0, iommu: false)).id
        try xen.setMaxMemory(other, kib: 65536 + 1024)
        XCTAssertEqual(failure { _ = try xen.loadKernel(other, image: try image()) }, "xc_dom_boot_mem_init ENOMEM", "no P2M pool yet")
        XCTAssertEqual(failure { try xen.setPagingPool(other, bytes: 1000) }, "XEN_DOMCTL_set_paging_mempool_size EINVAL", "not whole pages")
        try xen.setPagingPool(other, bytes: 3 << 20)
        XCTAssertEqual(failure { try xen.setMaxVCPUs(other, count: 1) }, "XEN_DOMCTL_max_vcpus EINVAL")
        XCTAssertEqual(failure { _ = try xen.loadKernel(other, image: try image()) }, "xc_dom_boot_image EINVAL", "vCPU 0 does not exist yet")
        try xen.setMaxVCPUs(other, count: 2)
        XCTAssertNotNil(try xen.loadKernel(other, image: try image()))
        XCTAssertEqual(failure { try xen.setMaxVCPUs(77, count: 1) }, "XEN_DOMCTL_max_vcpus ESRCH")
    }

    func testTheRamdiskPlaceholdersAreFilledInAndTheVPL011GetsAPort() throws {
        try xen.setMaxMemory(domain, kib: 262144 + 1024)
        _ = try xen.allocateEventChannel(domain, remote: .dom0)
        _ = try xen.allocateEventChannel(domain, remote: .dom0)
        let result = try xen.loadKernel(domain, image: try image(memoryKiB: 262144, ramdisk: [UInt8](repeating: 1, count: 4097), vpl011: true))
        XCTAssertEqual(result.layout.ramdiskStart, 0x4800_0000)
        XCTAssertEqual(result.layout.ramdiskEnd, 0x4800_2000)
        XCTAssertEqual(result.vpl011, GuestRing(gfn: 0x39003, port: 3))
        let tree = try DeviceTree(validating: try XCTUnwrap(xen.state.domains.last?.guest?.deviceTree))
        XCTAssertEqual(tree.property("linux,initrd-start", of: "/chosen"), .deviceTreeCells([0, 0x4800_0000]))
        XCTAssertEqual(tree.property("linux,initrd-end", of: "/chosen"), .deviceTreeCells([0, 0x4800_2000]))
    }

    func testAGuestPrintsItsBootOnceWhenFirstUnpaused() throws {
        try xen.setMaxMemory(domain, kib: 65536 + 1024)
        _ = try xen.loadKernel(domain, image: try image())
        XCTAssertNil(xen.state.domains.last?.guest?.console)
        try xen.unpause(domain)
        let console = try XCTUnwrap(xen.state.domains.last?.guest?.console)
        XCTAssertTrue(console.hasPrefix("[sim] domain \(domain!) booting: (no model), 0 vCPUs, 64 MiB, GICv3 with 1 SPIs\n"), console)
        XCTAssertFalse(console.contains("command line"), "the guest reads its command line from /chosen/bootargs, which this tree lacks")
        // Xen unpauses only what the toolstack paused: a second unpause is EINVAL; a pause and unpause boots nothing again.
        XCTAssertThrowsError(try xen.unpause(domain)) { XCTAssertEqual(($0 as? HypervisorError)?.errno, .EINVAL) }
        try xen.pause(domain)
        try xen.unpause(domain)
        XCTAssertEqual(xen.state.domains.last?.guest?.console, console)
    }

    func testSavingForgetsIntroductionsOfDomainsXenNoLongerHas() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("builder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = try SimulatedHost.open(directory: directory)
        defer { host.close() }
        let id = try host.hypervisor.createDomain(DomainCreateConfig(handle: [UInt8](repeating: 2, count: 16), maxVCPUs: 1, gic: .native, nrSPIs: 0, iommu: false)).id
        try host.xenstore.introduceDomain(id, mfn: 0x39001, eventChannel: 1)
        try host.xenstore.watch("@releaseDomain", token: "gone")
        _ = try host.xenstore.readWatch(timeout: 0)
        try host.save()
        XCTAssertTrue(try host.xenstore.isIntroduced(id))
        try host.hypervisor.destroy(id)
        try host.save()
        XCTAssertFalse(try host.xenstore.isIntroduced(id))
        XCTAssertEqual(try host.xenstore.readWatch(timeout: 0), XenStoreWatchEvent(path: "@releaseDomain", token: "gone"))
    }
}
