// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// What a created guest needs to talk to dom0: event channels, the builder's pages, the xenstore and console
/// entries libxl writes, the introduction to xenstored, and the console `xl create -c` shows.
final class CreateGuestRingsTests: XCTestCase {
    /// Seed 003's host and config; returns the config file's path.
    private func prepare(_ xl: XLRunner, extra: String = "") throws -> String {
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        XCTAssertEqual(xl("--host-dtb", hostDTB, "list").status, 0)
        let partial = try xl.dtbo("guest-midway.dtb", CreateFixtures.partial())
        return try xl.file("midway.cfg", Array(CreateFixtures.config(kernel: kernel(xl), deviceTree: partial, extra: extra).utf8))
    }

    private func kernel(_ xl: XLRunner) throws -> String { try xl.file("Image", CreateFixtures.kernel) }

    func testTheGuestGetsItsRingsEntriesAndIntroduction() throws {
        let xl = try XLRunner()
        let config = try prepare(xl)
        let result = xl("create", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        try xl.withHost { host in
            let domain = try XCTUnwrap(host.hypervisor.state.domains.first { $0.id == 1 })
            // libxl__build_pre: the xenstore port first, then the console's, both towards dom0.
            XCTAssertEqual(domain.eventChannels, [SimulatedEventChannel(port: 1, remote: .dom0), SimulatedEventChannel(port: 2, remote: .dom0)])
            XCTAssertEqual(domain.guest?.allocatedVCPUs, 2)
            XCTAssertEqual(domain.guest?.pagingPoolBytes, 4 * (256 * 2 + 2 * 256) * 1024, "libxl's default shadow_memory")
            XCTAssertEqual(domain.guest?.parameters, SimulatedGuestParameters(
                storePFN: 0x39001, storeEventChannel: 1, consolePFN: 0x39000, consoleEventChannel: 2, callbackIRQ: 0x0200_0000_0000_021F))
            let store = host.xenstore
            let read = { (path: String) in try store.readString(path) }
            XCTAssertEqual(try read("/local/domain/1/store/port"), "1")
            XCTAssertEqual(try read("/local/domain/1/store/ring-ref"), String(0x39001))
            XCTAssertTrue(try store.isIntroduced(1))
            for (key, value) in [("port", "2"), ("ring-ref", String(0x39000)), ("type", "xenconsoled"), ("output", "pty"),
                                 ("limit", "1048576"), ("tty", ""), ("backend-id", "0"), ("backend", "/local/domain/0/backend/console/1/0")] {
                XCTAssertEqual(try read("/local/domain/1/console/\(key)"), value, key)
            }
            for (key, value) in [("frontend", "/local/domain/1/console"), ("frontend-id", "1"), ("online", "1"), ("state", "1"), ("protocol", "vt100")] {
                XCTAssertEqual(try read("/local/domain/0/backend/console/1/0/\(key)"), value, key)
            }
            XCTAssertEqual(try read("/libxl/1/device/console/0/backend"), "/local/domain/0/backend/console/1/0")
            // The guest reads its console entries but cannot change them, except backend-id, which it owns.
            XCTAssertEqual(try store.permissions("/local/domain/1/console/ring-ref", in: nil), [XenStorePermission(.none, .dom0), XenStorePermission(.read, 1)])
            XCTAssertEqual(try store.permissions("/local/domain/1/console/backend-id", in: nil), [XenStorePermission(.none, 1), XenStorePermission(.read, .dom0)])
            XCTAssertEqual(try store.permissions("/local/domain/0/backend/console/1/0", in: nil), [XenStorePermission(.none, .dom0), XenStorePermission(.read, 1)])
            let guest = host.sharedXenStore?.connection(as: 1)
            XCTAssertEqual(try guest?.readString("/local/domain/1/store/ring-ref"), String(0x39001))
            XCTAssertThrowsError(try guest?.write("/local/domain/1/console/port", string: "9"))
        }
        XCTAssertEqual(xl("destroy", "midway").status, 0)
        try xl.withHost { host in
            XCTAssertFalse(try host.xenstore.exists("/local/domain/0/backend"), "emptied back-end directories go, as in libxl")
            XCTAssertFalse(try host.xenstore.isIntroduced(1), "xenstored forgets a domain Xen no longer has")
        }
    }

    func testCreateDashCShowsWhatTheGuestWroteToItsConsole() throws {
        let xl = try XLRunner()
        let config = try prepare(xl)
        let result = xl("create", "-c", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "[sim] domain 1 booting: XENVM-4.19, 2 vCPUs, 256 MiB, GICv3 with 83 SPIs")
        XCTAssertTrue(lines.contains("[sim] command line: console=hvc0"), result.stdout)
        XCTAssertTrue(lines.contains("[sim] xenstore ring at gfn 0x39001, event channel 1"), result.stdout)
        XCTAssertTrue(lines.contains("[sim] console ring at gfn 0x39000, event channel 2"), result.stdout)
        XCTAssertTrue(lines.contains("[sim] /passthrough/ethernet@10000000: reg 0x10000000+0x1000 mapped, IRQ 112 routed, IRQ 113 routed, IRQ 114 routed"),
                      result.stdout)

        // A paused guest has not run yet: nothing to show. Once unpaused it has, and it keeps what it wrote.
        let paused = xl("create", "-p", "-c", config, "name=\"second\"", "dtdev=[]", "irqs=[]", "iomem=[]", "device_tree=\"\(try xl.dtbo("none.dtb", "/dts-v1/; / { passthrough { compatible = \"simple-bus\"; ranges; #address-cells = <2>; #size-cells = <2>; }; };"))\"")
        XCTAssertEqual(paused.status, 0, paused.stderr)
        XCTAssertEqual(paused.stdout, "")
        try xl.withHost { host in
            try host.hypervisor.unpause(2)
            XCTAssertEqual(host.hypervisor.state.domains.last?.guest?.console?.hasPrefix("[sim] domain 2 booting: XENVM-4.19, 2 vCPUs"), true)
        }
    }

    func testTheVPL011GetsItsRingAndConsoleEntries() throws {
        let xl = try XLRunner()
        let config = try prepare(xl, extra: "vuart = \"sbsa_uart\"")
        XCTAssertEqual(xl("create", config).status, 0)
        try xl.withHost { host in
            let domain = try XCTUnwrap(host.hypervisor.state.domains.first { $0.id == 1 })
            XCTAssertEqual(domain.guest?.vpl011, GuestRing(gfn: 0x39003, port: 3), "xc_dom_vuart_init's port comes after the builder's two")
            let read = { (path: String) in try host.xenstore.readString(path) }
            for (key, value) in [("port", "3"), ("ring-ref", String(0x39003)), ("type", "xenconsoled"), ("limit", "1048576"),
                                 ("backend", "/local/domain/0/backend/vuart/1/0")] {
                XCTAssertEqual(try read("/local/domain/1/vuart/0/\(key)"), value, key)
            }
            XCTAssertEqual(try read("/local/domain/0/backend/vuart/1/0/frontend"), "/local/domain/1/vuart/0")
        }
        XCTAssertEqual(xl("destroy", "1").status, 0)
        try xl.withHost { XCTAssertFalse(try $0.xenstore.exists("/local/domain/0/backend")) }
    }

    func testTheRamdiskGoesWhereTheBuilderPutsItAndTheTreeSaysSo() throws {
        let xl = try XLRunner()
        let ramdisk = try xl.file("initrd", [UInt8](repeating: 0x5A, count: 5000))
        let config = try prepare(xl, extra: "ramdisk = \"\(ramdisk)\"")
        // libxenguest puts the ramdisk at 128 MiB into RAM when it fits there, page-rounded; libxl writes the segment.
        let dryRun = xl("-v", "-N", "create", config)
        XCTAssertEqual(dryRun.status, 0, dryRun.stderr)
        XCTAssertTrue(dryRun.stderr.contains("linux,initrd-start = <0x00 0x48000000>;"), dryRun.stderr)
        XCTAssertTrue(dryRun.stderr.contains("linux,initrd-end = <0x00 0x48002000>;"), dryRun.stderr)
        XCTAssertEqual(xl("create", config).status, 0)
        try xl.withHost { host in
            let guest = try XCTUnwrap(host.hypervisor.state.domains.first { $0.id == 1 }?.guest)
            XCTAssertEqual(guest.layout?.ramdiskStart, 0x4800_0000)
            XCTAssertEqual(guest.layout?.deviceTreeStart, 0x4800_2000)
            let dts = try DeviceTreeTools.decompile(try XCTUnwrap(guest.deviceTree))
            XCTAssertTrue(dts.contains("linux,initrd-start = <0x00 0x48000000>;"), dts)
            XCTAssertTrue(dts.contains("linux,initrd-end = <0x00 0x48002000>;"), dts)
        }
    }

    func testAFailedBuilderStepIsNamedAndUndone() throws {
        let xl = try XLRunner()
        let config = try prepare(xl)
        try xl.withHost { $0.hypervisor.state.injectedFailures["xc_dom_boot_image"] = .EFAULT }
        let xenstoreBefore = xl.snapshot()["xenstore.json"]
        let result = xl("create", config)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("step \"load kernel \(try kernel(xl))\" failed: xc_dom_boot_image returned EFAULT"), result.stderr)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains.map(\.id) }, [.dom0])
        XCTAssertEqual(xl.snapshot()["xenstore.json"], xenstoreBefore)
    }
}
