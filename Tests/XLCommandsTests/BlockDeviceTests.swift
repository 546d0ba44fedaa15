// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Toolstack
import XCTest
import XLConfig
import XenSimulator
import XenStoreClient

/// Disks through blkback on a simulated host: the tree libxl writes (`device_disk_add` for the `phy`
/// back end), the `block` script's loop device, `block-list`, `block-detach` with and without `-f`, the
/// back ends that need QEMU refused, and the faults leaving the host as it was.
final class BlockDeviceTests: XCTestCase {
    /// What libxl writes for `format=raw,vdev=xvdb,access=rw,target=FILE` (devid 51728), then what the
    /// `block` script (loop0) and the drivers add.
    static func expectedTree(target: String, domain: Int = 1) -> [String] {
        let fe = "/local/domain/\(domain)/device/vbd/51728", be = "/local/domain/0/backend/vbd/\(domain)/51728", lx = "/libxl/\(domain)/device/vbd/51728"
        let guest = "n\(domain),r0", backend = "n0,r\(domain)"
        var lines = [
            "\(fe) = \"\" \(guest)", "\(fe)/backend = \"\(be)\" \(guest)", "\(fe)/backend-id = \"0\" \(guest)", "\(fe)/state = \"4\" \(guest)",
            "\(fe)/virtual-device = \"51728\" \(guest)", "\(fe)/device-type = \"disk\" \(guest)", "\(fe)/trusted = \"1\" \(guest)",
            "\(fe)/ring-ref = \"\(8 + domain)\" \(guest)", "\(fe)/event-channel = \"\(10 + domain)\" \(guest)", "\(fe)/protocol = \"arm-abi\" \(guest)",
        ]
        let entries = [
            ("params", target), ("script", "/etc/xen/scripts/block"), ("frontend-id", "\(domain)"), ("online", "1"), ("removable", "0"),
            ("bootable", "1"), ("state", "1"), ("dev", "xvdb"), ("type", "phy"), ("mode", "w"), ("device-type", "disk"),
            ("discard-enable", "1"), ("specification", "xen"),
        ]
        lines += ["\(be) = \"\" \(backend)", "\(be)/frontend = \"\(fe)\" \(backend)"]
        for (key, value) in entries { lines.append("\(be)/\(key) = \"\(key == "state" ? "4" : value)\" \(backend)") }
        lines += ["\(be)/hotplug-status = \"connected\" \(backend)", "\(be)/physical-device = \"7:0\" \(backend)", "\(be)/physical-device-path = \"/dev/loop0\" \(backend)"]
        lines += ["\(lx) = \"\" n0", "\(lx)/frontend = \"\(fe)\" n0", "\(lx)/backend = \"\(be)\" n0"]
        for (key, value) in entries { lines.append("\(lx)/\(key) = \"\(value)\" n0") }
        return lines.sorted()
    }

    static func tree(_ host: SimulatedHost, domain: Int = 1) throws -> [String] {
        let skip = ["/local/domain/\(domain)/device/vbd = ", "/local/domain/0/backend/vbd = ", "/local/domain/0/backend/vbd/\(domain) = ", "/libxl/\(domain)/device/vbd = "]
        return try ["/local/domain/\(domain)/device/vbd", "/local/domain/0/backend/vbd", "/libxl/\(domain)/device/vbd"].flatMap {
            try XenStoreDump.lines(host.xenstore, $0).filter { line in !skip.contains { line.hasPrefix($0) } }
        }.sorted()
    }

    func testAttachListDetachOnACreatedGuest() throws {
        let xl = try NetworkDeviceCommandTests.host()
        let before = try DeviceFixtures.state(xl)
        let disk = try DeviceFixtures.disk(xl)
        try DeviceFixtures.withToolstack(xl) { toolstack, host in
            try toolstack.attachDisk("g", disk)
            XCTAssertEqual(try Self.tree(host), Self.expectedTree(target: disk.target ?? ""))
            XCTAssertEqual(host.hypervisor.state.deviceState.loopDevices, [SimulatedLoopDevice(index: 0, file: disk.target ?? "", backend: "/local/domain/0/backend/vbd/1/51728")])
            let record = try XCTUnwrap(try host.xenstore.readString("/libxl/1/libxl-json"))
            XCTAssertTrue(record.contains("\"disks\":[{\"pdev_path\":\"\(disk.target ?? "")\",\"vdev\":\"xvdb\",\"format\":\"raw\",\"readwrite\":1}]"), record)
        }
        let list = xl("block-list", "g")
        XCTAssertEqual(list.stdout, "Vdev  BE  handle state evt-ch ring-ref BE-path                       \n51728 0   1      4     11     9        /local/domain/0/backend/vbd/1/51728\n")
        let detached = xl("block-detach", "g", "xvdb")
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
        let missing = xl("block-detach", "g", "xvdb")
        XCTAssertEqual(missing.stderr, "block-detach g: device xvdb is not connected\n")
    }

    func testDetachOfADiskTheGuestHoldsNeedsForce() throws {
        let xl = try NetworkDeviceCommandTests.host()
        let before = try DeviceFixtures.state(xl)
        let disk = try DeviceFixtures.disk(xl)
        try DeviceFixtures.withToolstack(xl) { toolstack, _ in try toolstack.attachDisk("g", disk) }
        xl.environment["XL_SIMULATE_DEVICE_TIMEOUT"] = "0.2"
        try xl.withHost { $0.hypervisor.state.deviceState.faults = [.frontendSilent] }
        let held = xl("block-detach", "g", "51728")
        XCTAssertEqual(held.status, 1)
        XCTAssertEqual(held.stderr, "block-detach g: xvdb: the back end did not reach state 6 within 0.2 s (it stayed at 5); the guest still uses the device (use -f to remove it anyway)\n")
        XCTAssertEqual(try xl.withHost { try $0.xenstore.readString("/local/domain/0/backend/vbd/1/51728/online") }, "1")
        let forced = xl("block-detach", "-f", "g", "xvdb")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        try xl.withHost { $0.hypervisor.state.deviceState.faults = [] }
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testFaultsAndRefusalsLeaveTheHostAsBefore() throws {
        let xl = try NetworkDeviceCommandTests.host()
        let disk = try DeviceFixtures.disk(xl)
        let xenstore = xl.snapshot()["xenstore.json"]
        var qcow = disk
        qcow.format = .qcow2
        var qdisk = disk
        qdisk.backendType = .qdisk
        var missing = disk
        missing.target = "/nonexistent/disk.img"
        var badName = disk
        badName.vdev = "floppy"
        var empty = disk
        empty.target = nil
        let refusals: [(Disk, String)] = [
            (qcow, "block-attach g: xvdb: format=qcow2 needs QEMU's qdisk back end, which this xl does not start; convert the image to raw"),
            (qdisk, "block-attach g: xvdb: backendtype=qdisk needs QEMU, which this xl does not start; use backendtype=phy with a raw image"),
            (missing, "block-attach g: xvdb: target /nonexistent/disk.img does not exist"),
            (badName, "block-attach g: vdev floppy is not a virtual disk name (write xvda, xvdb, ... or d0p0)"),
            (empty, "block-attach g: xvdb: an empty drive needs QEMU, which this xl does not start; give target="),
        ]
        try DeviceFixtures.withToolstack(xl, timeout: 0.2) { toolstack, host in
            for (disk, message) in refusals { XCTAssertEqual(DeviceFixtures.message { try toolstack.attachDisk("g", disk) }, message) }
            let faults: [(SimulatedDeviceFault, String)] = [
                (.scriptFails, "block-attach g: xvdb: hotplug script /etc/xen/scripts/block add exited with status 1 (hotplug-error: injected failure (script-fails); output: block: injected failure (script-fails))"),
                (.frontendSilent, "block-attach g: xvdb: the back end did not reach state 4 within 0.2 s (it stayed at 2); the guest's front end did not connect"),
                (.backendLeaves, "block-attach g: xvdb: /local/domain/0/backend/vbd/1/51728/state went to Closing/Closed: the back end gave up on the device; the guest's front end did not connect"),
            ]
            for (fault, message) in faults {
                host.hypervisor.state.deviceState.faults = [fault]
                XCTAssertEqual(DeviceFixtures.message { try toolstack.attachDisk("g", disk) }, message)
                host.hypervisor.state.deviceState.faults = []
                XCTAssertEqual(host.hypervisor.state.devices, nil, "\(fault) left a loop device")
            }
        }
        XCTAssertEqual(xl.snapshot()["xenstore.json"], xenstore)
    }

    func testDom0lessGuestTakesAVifAndADisk() throws {
        let xl = try DeviceFixtures.dom0lessHost()
        let before = try DeviceFixtures.xenstore(xl)
        let hostBefore = xl.snapshot()["host.json"]
        let attached = xl("network-attach", "1")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        let mac = try NetworkDeviceCommandTests.mac(xl)
        XCTAssertEqual(try NetworkDeviceCommandTests.deviceTree(xl), NetworkDeviceCommandTests.expectedTree(mac: mac))
        let disk = try DeviceFixtures.disk(xl)
        try DeviceFixtures.withToolstack(xl) { toolstack, host in
            try toolstack.attachDisk("d1", disk)
            XCTAssertEqual(try Self.tree(host), Self.expectedTree(target: disk.target ?? ""))
            // init-dom0less's record now lists both devices.
            let record = try XCTUnwrap(try host.xenstore.readString("/libxl/1/libxl-json"))
            XCTAssertTrue(record.contains("\"nics\":[{") && record.contains("\"disks\":[{"), record)
        }
        XCTAssertEqual(xl("block-detach", "d1", "xvdb").status, 0)
        XCTAssertEqual(xl("network-detach", "d1", "0").status, 0)
        XCTAssertEqual(try DeviceFixtures.xenstore(xl), before)
        XCTAssertEqual(xl.snapshot()["host.json"], hostBefore)
    }

    func testCreateRefusesDevicesItCannotSetUpBeforeAnyHypercall() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("list").status, 0)
        let before = xl.snapshot()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let base = try DomainConfig(file: try ConfigFile(parsing: "name = \"c\"\nkernel = \"\(kernel)\"\nmemory = 64\n", source: "c.cfg"))
        var missing = Disk(vdev: "xvda")
        missing.target = "/nonexistent/root.img"
        var emulated = NetworkInterface()
        emulated.type = .ioemu
        var twice = NetworkInterface()
        twice.devid = 3
        let cases: [(([Disk], [NetworkInterface]), String)] = [
            (([missing], []), "disk: xvda: target /nonexistent/root.img does not exist"),
            (([try DeviceFixtures.disk(xl), try DeviceFixtures.disk(xl, name: "other.img")], []), "disk: xvdb: another disk= entry has this vdev"),
            (([], [emulated]), "vif: an emulated network interface (type=ioemu, model=) needs a device model, which PVH guests do not have; use type=vif"),
            (([], [twice, twice]), "vif: another vif= entry has devid 3"),
        ]
        try DeviceFixtures.withToolstack(xl) { toolstack, _ in
            for ((disks, nics), message) in cases {
                var config = base
                config.disks = disks
                config.nics = nics
                XCTAssertEqual(DeviceFixtures.message { try toolstack.createDomain(config, paused: false) }, message)
            }
        }
        XCTAssertEqual(xl.snapshot(), before, "not even the domid rover moved")
    }

    func testCreateAddsDisksThenVifsAndUndoesThemWhenALaterStepFails() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("list").status, 0)
        let before = try DeviceFixtures.xenstore(xl)
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        var config = try DomainConfig(file: try ConfigFile(parsing: "name = \"c\"\nkernel = \"\(kernel)\"\nmemory = 64\n", source: "c.cfg"))
        config.disks = [try DeviceFixtures.disk(xl)]
        config.nics = [NetworkInterface()]
        try DeviceFixtures.withToolstack(xl) { toolstack, host in
            host.hypervisor.state.injectedFailures["XEN_DOMCTL_unpausedomain"] = .EINVAL
            let message = DeviceFixtures.message { try toolstack.createDomain(config, paused: false) }
            XCTAssertEqual(message, "create c: step \"unpause\" failed: XEN_DOMCTL_unpausedomain returned EINVAL (Invalid argument)")
            XCTAssertEqual(host.hypervisor.state.devices, nil, "the loop device and the interface are gone")
        }
        XCTAssertEqual(try DeviceFixtures.xenstore(xl), before)
        try DeviceFixtures.withToolstack(xl) { toolstack, host in
            let domain = try XCTUnwrap(try toolstack.createDomain(config, paused: true))
            // A paused guest's front ends do not run yet: the back ends wait in InitWait with their scripts run.
            XCTAssertEqual(try host.xenstore.readString("/local/domain/0/backend/vbd/\(domain)/51728/state"), "2")
            XCTAssertEqual(try host.xenstore.readString("/local/domain/0/backend/vif/\(domain)/0/state"), "2")
            XCTAssertEqual(host.hypervisor.state.deviceState.interfaces.map(\.name), ["vif\(domain).0"])
            XCTAssertEqual(host.hypervisor.state.deviceState.loopDevices.count, 1)
            try toolstack.destroyDomain("c")
            XCTAssertEqual(host.hypervisor.state.devices, nil)
        }
        // destroy leaves the /libxl and /vm directories a first create made (as before devices existed).
        XCTAssertEqual(try DeviceFixtures.xenstore(xl).filter { $0 != "/libxl = \"\" n0" && $0 != "/vm = \"\" n0" }, before)
    }
}
