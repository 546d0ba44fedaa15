// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenTypes

extension PVDeviceNodes {
    /// The nodes of a disk served by blkback (`device_disk_add` for the `phy` back end): `params` is the
    /// target, the `block` script (or the disk's own) sets it up.
    public static func vbd(_ disk: Disk, devid: Int, domain: DomainID, backendDomain: DomainID) -> PVDeviceNodes {
        let cdrom = disk.isCDROM ? "cdrom" : "disk"
        var backend: [(String, String)] = [
            ("params", disk.target ?? ""), ("script", HotplugScriptDirectory.absolute(disk.script ?? "block")),
            ("frontend-id", String(domain.rawValue)), ("online", "1"), ("removable", "0"), ("bootable", "1"),
            ("state", XenbusState.initialising.node), ("dev", disk.vdev), ("type", "phy"), ("mode", disk.readWrite ? "w" : "r"),
            ("device-type", cdrom),
        ]
        if disk.directIOSafe { backend.append(("direct-io-safe", "1")) }
        backend.append(("discard-enable", (disk.discard ?? disk.readWrite) ? "1" : "0"))
        backend.append(("specification", "xen"))
        let frontend = [
            ("backend-id", String(backendDomain.rawValue)), ("state", XenbusState.initialising.node), ("virtual-device", String(devid)),
            ("device-type", cdrom), ("trusted", disk.trusted == false ? "0" : "1"),
        ]
        return PVDeviceNodes(kind: .vbd, domain: domain, backendDomain: backendDomain, devid: devid, backend: backend, frontend: frontend)
    }
}
