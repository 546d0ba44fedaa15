import XLConfig

/// A device as libxl records it in a domain's configuration (`libxl_device_nic_gen_json`,
/// `libxl_device_disk_gen_json`, compact): the fields given, in libxl's IDL order, defaults left out.
enum LibxlDeviceJSON {
    static func nic(_ nic: NetworkInterface) -> String {
        var members: [(String, OrderedJSON)] = []
        if let backend = nic.backendDomain { members.append(("backend_domname", .string(backend))) }
        if let devid = nic.devid { members.append(("devid", .unsigned(UInt64(devid)))) }
        if let mtu = nic.mtu { members.append(("mtu", .unsigned(UInt64(mtu)))) }
        if let model = nic.model { members.append(("model", .string(model))) }
        if let mac = nic.mac { members.append(("mac", .string(mac.description))) }
        if let ip = nic.ip { members.append(("ip", .string(ip))) }
        if let bridge = nic.bridge { members.append(("bridge", .string(bridge))) }
        if let name = nic.vifname { members.append(("ifname", .string(name))) }
        if let script = nic.script { members.append(("script", .string(script))) }
        if let type = nic.type { members.append(("nictype", .string(type == .vif ? "vif" : "vif_ioemu"))) }
        if let rate = nic.rate {
            members.append(("rate_bytes_per_interval", .unsigned(rate.bytesPerInterval)))
            members.append(("rate_interval_usecs", .unsigned(UInt64(rate.intervalMicroseconds))))
        }
        if let gatewaydev = nic.gatewaydev { members.append(("gatewaydev", .string(gatewaydev))) }
        if let trusted = nic.trusted { members.append(("trusted", .string(trusted ? "True" : "False"))) }
        return OrderedJSON.object(members).rendered(pretty: false)
    }

    static func disk(_ disk: Disk) -> String {
        var members: [(String, OrderedJSON)] = []
        if let backend = disk.backendDomain { members.append(("backend_domname", .string(backend))) }
        if let target = disk.target { members.append(("pdev_path", .string(target))) }
        members.append(("vdev", .string(disk.vdev)))
        if let type = disk.backendType { members.append(("backend", .string(type.rawValue))) }
        members.append(("format", .string((disk.format ?? .raw).rawValue)))
        if let script = disk.script { members.append(("script", .string(script))) }
        if disk.readWrite { members.append(("readwrite", .unsigned(1))) }
        if disk.isCDROM { members.append(("is_cdrom", .unsigned(1))) }
        if let discard = disk.discard { members.append(("discard_enable", .string(discard ? "True" : "False"))) }
        if let trusted = disk.trusted { members.append(("trusted", .string(trusted ? "True" : "False"))) }
        return OrderedJSON.object(members).rendered(pretty: false)
    }
}
