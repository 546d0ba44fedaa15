// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl network-attach`: adds a network interface to a running or paused domain; returns its devid.
    @discardableResult
    public func attachNetwork(_ argument: String, _ nic: NetworkInterface) throws -> Int {
        let info = try deviceDomain(argument, command: "network-attach")
        return try addNetwork(nic, to: info, prefix: "network-attach \(argument): ", updateRecord: true)
    }

    /// `xl block-attach`: adds a disk to a running or paused domain.
    public func attachDisk(_ argument: String, _ disk: Disk) throws {
        let info = try deviceDomain(argument, command: "block-attach")
        try addDisk(disk, to: info, prefix: "block-attach \(argument): ", updateRecord: true)
    }

    /// `xl network-detach DOMAIN DEVID|MAC`.
    public func detachNetwork(_ argument: String, device: String) throws {
        let info = try deviceDomain(argument, command: "network-detach")
        let prefix = "network-detach \(argument): "
        let devices = try listedDevices(.vif, of: info.id, prefix: prefix)
        let wanted: PVDeviceListing?
        if device.contains(":") {
            wanted = devices.first { $0.value("mac")?.lowercased() == device.lowercased() }
        } else {
            wanted = Int(device).flatMap { id in devices.first { $0.devid == id } }
        }
        guard let wanted else { throw ToolstackError("\(prefix)unknown device \(device)") }
        let record = try recordChange(info.id, prefix: prefix) { record in
            RecordDeviceList.removing(from: "nics", in: record) { item in
                item.contains("\"devid\":\(wanted.devid),") || item.contains("\"devid\":\(wanted.devid)}")
                    || (wanted.value("mac").map { item.contains("\"mac\":\"\($0)\"") } ?? false)
            }
        }
        if dryRun {
            output("dry run: would remove \(wanted.nodes.frontendPath) and \(wanted.nodes.backendPath)")
            return
        }
        try deviceSetup(prefix: prefix + "vif \(wanted.devid): ").remove(wanted.nodes, record: record, force: false, forceOnTimeout: true)
        log("\(prefix)removed vif \(wanted.devid)")
    }

    /// `xl block-detach [-f] DOMAIN VDEV|DEVID`.
    public func detachDisk(_ argument: String, device: String, force: Bool) throws {
        let info = try deviceDomain(argument, command: "block-detach")
        let prefix = "block-detach \(argument): "
        let devices = try listedDevices(.vbd, of: info.id, prefix: prefix)
        let number = VirtualDiskNumber.of(device)
        guard let wanted = devices.first(where: { $0.value("dev") == device || $0.devid == number }) else {
            throw ToolstackError("\(prefix)device \(device) is not connected")
        }
        let vdev = wanted.value("dev") ?? device
        let record = try recordChange(info.id, prefix: prefix) { record in
            RecordDeviceList.removing(from: "disks", in: record) { $0.contains("\"vdev\":\"\(vdev)\"") }
        }
        if dryRun {
            output("dry run: would remove \(wanted.nodes.frontendPath) and \(wanted.nodes.backendPath)")
            return
        }
        try deviceSetup(prefix: prefix + "\(vdev): ").remove(wanted.nodes, record: record, force: force, forceOnTimeout: false)
        log("\(prefix)removed \(vdev)")
    }

    /// Adds one network interface (attach, or a step of create without a record change).
    func addNetwork(_ given: NetworkInterface, to info: DomainInfo, prefix: String, updateRecord: Bool) throws -> Int {
        try Self.checkNetwork(given, at: prefix)
        let backend = try backendDomain(given.backendDomain, prefix: prefix)
        let taken = Set(try listedDevices(.vif, of: info.id, prefix: prefix).map(\.devid))
        let nic = given.resolved(taken: taken)
        let devid = nic.devid ?? 0
        guard devid >= 0, devid < 1 << 16 else { throw ToolstackError("\(prefix)devid \(devid) is out of range") }
        if taken.contains(devid) { throw ToolstackError("\(prefix)vif \(devid) already exists") }
        let nodes = PVDeviceNodes.vif(nic, domain: info.id, backendDomain: backend)
        var recorded = given
        recorded.devid = devid
        recorded.mac = nic.mac
        recorded.type = .vif
        let record = updateRecord ? try recordChange(info.id, prefix: prefix) { RecordDeviceList.adding(recorded.libxlJSON, to: "nics", in: $0) } : nil
        if dryRun {
            output("dry run: would add vif \(devid) (mac \(nic.mac?.description ?? "")) at \(nodes.frontendPath) served from \(nodes.backendPath)")
            return devid
        }
        try deviceSetup(prefix: prefix + "vif \(devid): ").add(nodes, record: record, connect: Self.guestRuns(info))
        log("\(prefix)added vif \(devid) (mac \(nic.mac?.description ?? ""), bridge \(nic.bridge ?? ""))")
        return devid
    }

    /// The checks of a disk libxl makes before it writes anything (`libxl__device_disk_setdefault`, the back-end
    /// choice), for the back ends this xl serves; returns the devid. `at` starts each message; `targetMustExist`
    /// is false for `-N create`, which prints the configuration as upstream's does without looking at the files.
    static func checkDisk(_ disk: Disk, at: String, targetMustExist: Bool = true) throws -> Int {
        guard let devid = VirtualDiskNumber.of(disk.vdev) else {
            throw ToolstackError("\(at)vdev \(disk.vdev) is not a virtual disk name (write xvda, xvdb, ... or d0p0)")
        }
        let at = "\(at)\(disk.vdev): "
        switch disk.backendType {
        case nil, .phy: break
        case .qdisk: throw ToolstackError("\(at)backendtype=qdisk needs QEMU, which this xl does not start; use backendtype=phy with a raw image")
        case .tap: throw ToolstackError("\(at)backendtype=tap needs blktap, which this xl does not support; use backendtype=phy with a raw image")
        case .standalone: throw ToolstackError("\(at)backendtype=standalone is for specification=virtio, which this xl does not support")
        }
        switch disk.format {
        case nil, .raw: break
        case .some(let format): throw ToolstackError("\(at)format=\(format.rawValue) needs QEMU's qdisk back end, which this xl does not start; convert the image to raw")
        }
        if disk.specification == .virtio { throw ToolstackError("\(at)specification=virtio is not supported; use specification=xen") }
        guard let target = disk.target, !target.isEmpty else {
            throw ToolstackError("\(at)an empty drive needs QEMU, which this xl does not start; give target=")
        }
        if targetMustExist, disk.backendDomain == nil, disk.script == nil, !pathExists(target) {
            throw ToolstackError("\(at)target \(target) does not exist")
        }
        return devid
    }

    /// A network interface this xl can set up for a PVH guest.
    static func checkNetwork(_ nic: NetworkInterface, at: String) throws {
        if nic.type == .ioemu || nic.model != nil {
            throw ToolstackError("\(at)an emulated network interface (type=ioemu, model=) needs a device model, which PVH guests do not have; use type=vif")
        }
    }

    /// `xl create`'s check of its `disk=` and `vif=` entries before it asks anything of Xen: each refusal names
    /// the entry's place in the file.
    func checkDevices(_ config: DomainConfig) throws {
        var vdevs: Set<Int> = []
        for (index, disk) in config.disks.enumerated() {
            let at = Self.entryLocation(config, "disk", index) + "disk: "
            let devid = try Self.checkDisk(disk, at: at, targetMustExist: !dryRun)
            guard vdevs.insert(devid).inserted else { throw ToolstackError("\(at)\(disk.vdev): another disk= entry has this vdev") }
            _ = try backendDomain(disk.backendDomain, prefix: at)
        }
        var devids: Set<Int> = []
        for (index, nic) in config.nics.enumerated() {
            let at = Self.entryLocation(config, "vif", index) + "vif: "
            try Self.checkNetwork(nic, at: at)
            if let devid = nic.devid, !devids.insert(devid).inserted { throw ToolstackError("\(at)another vif= entry has devid \(devid)") }
            _ = try backendDomain(nic.backendDomain, prefix: at)
        }
    }

    /// The configuration with libxl's defaults of each interface filled in as `xl create` adds them in order
    /// (``NetworkInterface/resolved(taken:)``); bridge and script stay as given, as libxl records them.
    static func resolvingNetworkDefaults(_ config: DomainConfig) -> DomainConfig {
        var config = config
        var taken = Set(config.nics.compactMap(\.devid))
        for index in config.nics.indices {
            let resolved = config.nics[index].resolved(taken: taken)
            config.nics[index].devid = resolved.devid
            config.nics[index].mac = resolved.mac
            config.nics[index].type = .vif
            if let devid = resolved.devid { taken.insert(devid) }
        }
        return config
    }

    /// Adds one disk (attach, or a step of create).
    func addDisk(_ disk: Disk, to info: DomainInfo, prefix: String, updateRecord: Bool) throws {
        let devid = try Self.checkDisk(disk, at: prefix)
        let at = "\(prefix)\(disk.vdev): "
        let target = disk.target ?? ""
        let backend = try backendDomain(disk.backendDomain, prefix: prefix)
        if try listedDevices(.vbd, of: info.id, prefix: prefix).contains(where: { $0.devid == devid }) {
            throw ToolstackError("\(at)the domain already has a disk \(disk.vdev)")
        }
        let nodes = PVDeviceNodes.vbd(disk, devid: devid, domain: info.id, backendDomain: backend)
        // The record keeps the disk as set up: libxl's default format (raw) filled in, as libxl records it.
        var recorded = disk
        recorded.format = disk.format ?? .raw
        let record = updateRecord ? try recordChange(info.id, prefix: prefix) { RecordDeviceList.adding(recorded.libxlJSON, to: "disks", in: $0) } : nil
        if dryRun {
            output("dry run: would add \(disk.vdev) (devid \(devid), \(target)) at \(nodes.frontendPath) served from \(nodes.backendPath)")
            return
        }
        try deviceSetup(prefix: at).add(nodes, record: record, connect: Self.guestRuns(info))
        log("\(prefix)added \(disk.vdev) (devid \(devid))")
    }

    /// Tears down every PV device of a dying domain (libxl's `libxl__devices_destroy`): the back ends are told
    /// to close, the scripts remove what they set up, the nodes go. Returns what failed, for the caller to report.
    func removeAllDevices(of domain: DomainID) -> [String] {
        var problems: [String] = []
        for kind in PVDeviceKind.allCases {
            guard let devices = try? listedDevices(kind, of: domain, prefix: "") else { continue }
            for device in devices {
                do {
                    try deviceSetup(prefix: "\(kind.rawValue) \(device.devid): ").remove(device.nodes, record: nil, force: true, forceOnTimeout: false)
                } catch let error as ToolstackError { problems.append(error.message) } catch { problems.append("\(error)") }
            }
        }
        return problems
    }

    func deviceSetup(prefix: String) throws -> PVDeviceSetup {
        guard let hotplugScripts else { throw ToolstackError("\(prefix)no way to run hotplug scripts on this host") }
        return PVDeviceSetup(xenstore: xenstore, scripts: hotplugScripts, timeouts: deviceTimeouts, log: log, prefix: prefix)
    }

    /// The domain a device command works on: not dom0, and a PVH guest (libxl's `/libxl/<domid>/type`).
    private func deviceDomain(_ argument: String, command: String) throws -> DomainInfo {
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(command) \(argument): \(error.message)") }
        guard info.id != .dom0 else { throw ToolstackError("\(command) \(argument): domain 0 takes no PV devices from xl") }
        if let type = try? xenstore.readString("/libxl/\(info.id)/type"), type != "pvh" {
            throw ToolstackError("\(command) \(argument): domain \(info.id) is a \(type) guest; only PVH guests are supported")
        }
        // Front ends live in the guest's xenstore home; without one no driver could ever connect.
        let home = "/local/domain/\(info.id)"
        let hasHome: Bool
        do { hasHome = try xenstore.exists(home, in: nil) } catch { throw ToolstackError("\(command) \(argument): cannot read \(home): \(error.errno)") }
        guard hasHome else {
            throw ToolstackError("\(command) \(argument): domain \(info.id) has no xenstore home (\(home)), so its PV drivers cannot connect: "
                + "a dom0less domain needs xen,enhanced in its /chosen node and a run of init-dom0less first")
        }
        return info
    }

    /// `backend=`: dom0 when not given, else the domain with that id or name.
    private func backendDomain(_ name: String?, prefix: String) throws -> DomainID {
        guard let name else { return .dom0 }
        do { return try findDomain(name).id } catch let error as ToolstackError {
            throw ToolstackError("\(prefix)backend=\(name): \(error.message)")
        }
    }

    /// The configuration record before and after a change; nil when the domain has none (nothing to keep).
    private func recordChange(_ domain: DomainID, prefix: String, _ change: (String) -> String?) throws -> PVDeviceSetup.RecordChange? {
        let libxlPath = "/libxl/\(domain)"
        let before: String?
        do { before = try LibxlConfigRecord.read(under: libxlPath, from: xenstore) } catch {
            throw ToolstackError("\(prefix)cannot read \(libxlPath)/\(LibxlConfigRecord.name): \(error.errno)")
        }
        guard let before else { return nil }
        guard let after = change(before) else {
            throw ToolstackError("\(prefix)\(libxlPath)/\(LibxlConfigRecord.name) is not a JSON object; the device was not changed")
        }
        return PVDeviceSetup.RecordChange(libxlPath: libxlPath, before: before, after: after)
    }

    /// A guest whose vCPUs run: its front ends can connect.
    static func guestRuns(_ info: DomainInfo) -> Bool {
        info.state.intersection([.paused, .shutdown, .dying, .crashed]).isEmpty
    }

    private static func pathExists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}
