// SPDX-License-Identifier: Apache-2.0
/// `libxl_device_disk` as libxl's JSON spells it; what is not set is nil and left out, as libxl leaves out defaults.
struct LibxlDisk: Codable, Hashable {
    var backend_domname: String?
    var pdev_path: String?
    var vdev: String?
    var backend: String?
    var format: String?
    var script: String?
    var removable: Int?
    var readwrite: Int?
    var is_cdrom: Int?
    var direct_io_safe: Bool?
    var discard_enable: String?
    var specification: String?
    var trusted: String?
    var grant_usage: String?

    init(_ disk: Disk) {
        backend_domname = disk.backendDomain
        pdev_path = disk.target
        vdev = disk.vdev
        backend = disk.backendType?.rawValue
        format = disk.format?.rawValue
        script = disk.script
        removable = disk.isCDROM ? 1 : nil
        readwrite = disk.readWrite ? 1 : nil
        is_cdrom = disk.isCDROM ? 1 : nil
        direct_io_safe = disk.directIOSafe ? true : nil
        discard_enable = disk.discard.map(LibxlDefbool.name)
        specification = disk.specification?.rawValue
        trusted = disk.trusted.map(LibxlDefbool.name)
        grant_usage = disk.grantUsage.map(LibxlDefbool.name)
    }

    /// In the IDL's order.
    var ordered: OrderedJSON {
        let string = { (value: String?) in value.map(OrderedJSON.string) }
        let number = { (value: Int?) in value.map { OrderedJSON.unsigned(UInt64(max(0, $0))) } }
        return .members([
            ("backend_domname", string(backend_domname)), ("pdev_path", string(pdev_path)), ("vdev", string(vdev)),
            ("backend", string(backend)), ("format", string(format)), ("script", string(script)),
            ("removable", number(removable)), ("readwrite", number(readwrite)), ("is_cdrom", number(is_cdrom)),
            ("direct_io_safe", direct_io_safe.map(OrderedJSON.bool)), ("discard_enable", string(discard_enable)),
            ("specification", string(specification)), ("trusted", string(trusted)), ("grant_usage", string(grant_usage)),
        ])
    }

    /// The disk this record describes; throws naming the field that is wrong.
    func disk() throws(DomainConfigError) -> Disk {
        func fail(_ key: String, _ message: String) -> DomainConfigError {
            DomainConfigError(location: "libxl-json", key: "disks.\(key)", message: message)
        }
        guard let vdev else { throw fail("vdev", "a disk without vdev") }
        var disk = Disk(vdev: vdev)
        disk.target = pdev_path
        disk.backendDomain = backend_domname
        disk.script = script
        if let backend {
            guard let type = DiskBackendType(rawValue: backend) else { throw fail("backend", "unknown value \"\(backend)\"") }
            disk.backendType = type
        }
        if let format {
            guard let value = DiskFormat(rawValue: format) else { throw fail("format", "unknown value \"\(format)\"") }
            disk.format = value
        }
        if let specification {
            guard let value = DiskSpecification(rawValue: specification) else { throw fail("specification", "unknown value \"\(specification)\"") }
            disk.specification = value
        }
        disk.readWrite = (readwrite ?? 0) != 0
        disk.isCDROM = (is_cdrom ?? 0) != 0
        disk.directIOSafe = direct_io_safe ?? false
        disk.discard = try LibxlDefbool.value(discard_enable) { fail("discard_enable", $0) }
        disk.trusted = try LibxlDefbool.value(trusted) { fail("trusted", $0) }
        disk.grantUsage = try LibxlDefbool.value(grant_usage) { fail("grant_usage", $0) }
        return disk
    }
}

/// `libxl_device_nic` as libxl's JSON spells it.
struct LibxlNic: Codable, Hashable {
    var backend_domname: String?
    var devid: Int?
    var mtu: Int?
    var vlan: String?
    var model: String?
    var mac: String?
    var ip: String?
    var bridge: String?
    var ifname: String?
    var script: String?
    var nictype: String?
    var rate_bytes_per_interval: UInt64?
    var rate_interval_usecs: UInt32?
    var gatewaydev: String?
    var trusted: String?

    init(_ nic: NetworkInterface) {
        backend_domname = nic.backendDomain
        devid = nic.devid
        mtu = nic.mtu == 0 ? nil : nic.mtu
        vlan = nic.vlan
        model = nic.model
        mac = nic.mac?.description
        ip = nic.ip
        bridge = nic.bridge
        ifname = nic.vifname
        script = nic.script
        nictype = nic.type.map { $0 == .ioemu ? "vif_ioemu" : "vif" }
        rate_bytes_per_interval = nic.rate.map(\.bytesPerInterval).flatMap { $0 == 0 ? nil : $0 }
        rate_interval_usecs = nic.rate.map(\.intervalMicroseconds).flatMap { $0 == 0 ? nil : $0 }
        gatewaydev = nic.gatewaydev
        trusted = nic.trusted.map(LibxlDefbool.name)
    }

    /// In the IDL's order.
    var ordered: OrderedJSON {
        let string = { (value: String?) in value.map(OrderedJSON.string) }
        let number = { (value: Int?) in value.map { OrderedJSON.unsigned(UInt64(max(0, $0))) } }
        return .members([
            ("backend_domname", string(backend_domname)), ("devid", number(devid)), ("mtu", number(mtu)), ("vlan", string(vlan)),
            ("model", string(model)), ("mac", string(mac)), ("ip", string(ip)), ("bridge", string(bridge)),
            ("ifname", string(ifname)), ("script", string(script)), ("nictype", string(nictype)),
            ("rate_bytes_per_interval", rate_bytes_per_interval.map(OrderedJSON.unsigned)),
            ("rate_interval_usecs", rate_interval_usecs.map { .unsigned(UInt64($0)) }),
            ("gatewaydev", string(gatewaydev)), ("trusted", string(trusted)),
        ])
    }

    /// The interface this record describes; throws naming the field that is wrong.
    func networkInterface() throws(DomainConfigError) -> NetworkInterface {
        func fail(_ key: String, _ message: String) -> DomainConfigError {
            DomainConfigError(location: "libxl-json", key: "nics.\(key)", message: message)
        }
        var nic = NetworkInterface()
        nic.backendDomain = backend_domname
        if let devid {
            guard (0...NetworkInterface.maxInteger).contains(devid) else { throw fail("devid", "\(devid) is out of range") }
            nic.devid = devid
        }
        if let mtu {
            guard (0...NetworkInterface.maxInteger).contains(mtu) else { throw fail("mtu", "\(mtu) is out of range") }
            nic.mtu = mtu == 0 ? nil : mtu
        }
        nic.vlan = vlan
        nic.model = model
        if let mac {
            let parts = mac.split(separator: ":", omittingEmptySubsequences: false)
            let octets = parts.compactMap { $0.utf8.count == 2 ? UInt8($0, radix: 16) : nil }
            guard octets.count == 6, parts.count == 6, let address = MACAddress(octets: octets) else { throw fail("mac", "\"\(mac)\" is not a MAC address") }
            nic.mac = address
        }
        nic.ip = ip
        nic.bridge = bridge
        nic.vifname = ifname
        nic.script = script
        switch nictype {
        case nil: break
        case "vif": nic.type = .vif
        case "vif_ioemu": nic.type = .ioemu
        case let other?: throw fail("nictype", "unknown value \"\(other)\"")
        }
        if rate_bytes_per_interval != nil || rate_interval_usecs != nil {
            nic.rate = NetworkRate(bytesPerInterval: rate_bytes_per_interval ?? 0, intervalMicroseconds: rate_interval_usecs ?? 0)
        }
        nic.gatewaydev = gatewaydev
        nic.trusted = try LibxlDefbool.value(trusted) { fail("trusted", $0) }
        return nic
    }
}

/// `libxl_defbool` in JSON: `"True"` or `"False"`; left out when at its default.
enum LibxlDefbool {
    static func name(_ value: Bool) -> String { value ? "True" : "False" }

    static func value(_ text: String?, _ fail: (String) -> DomainConfigError) throws(DomainConfigError) -> Bool? {
        switch text {
        case nil, "<default>": return nil
        case "True": return true
        case "False": return false
        case let other?: throw fail("expected \"True\" or \"False\", found \"\(other)\"")
        }
    }
}

extension OrderedJSON {
    /// An object of the members that are set, in the given order.
    static func members(_ list: [(String, OrderedJSON?)]) -> OrderedJSON {
        .object(list.compactMap { key, value in value.map { (key, $0) } })
    }
}

extension NetworkInterface {
    /// This interface as libxl records it in a domain's configuration (`libxl_device_nic_gen_json`, compact).
    public var libxlJSON: String { LibxlNic(self).ordered.rendered(pretty: false) }
}

extension Disk {
    /// This disk as libxl records it in a domain's configuration (`libxl_device_disk_gen_json`, compact).
    public var libxlJSON: String { LibxlDisk(self).ordered.rendered(pretty: false) }
}
