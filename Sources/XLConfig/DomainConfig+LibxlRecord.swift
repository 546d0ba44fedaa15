// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials

extension DomainConfig {
    /// Most bytes of a record read back (libxl keeps far smaller ones; a damaged or hostile node is refused).
    public static let maxRecordBytes = 1 << 20

    /// The configuration a domain was created with, read back from the record `xl create` keeps
    /// (``libxlJSON(pretty:)``), as upstream's monitor reloads it before a restart. Throws one line saying
    /// what is wrong with the record; keys this xl does not write are ignored, as libxl ignores unknown ones.
    public init(libxlRecord text: String) throws(DomainConfigError) {
        guard text.utf8.count <= Self.maxRecordBytes else {
            throw DomainConfigError(location: "libxl-json", key: "record", message: "it has \(text.utf8.count) bytes; at most \(Self.maxRecordBytes) are read")
        }
        let record: LibxlDomainConfig
        do { record = try JSONDecoder().decode(LibxlDomainConfig.self, from: Data(text.utf8)) } catch {
            throw DomainConfigError(location: "libxl-json", key: "record", message: "not a configuration this xl recorded (no c_info.name or b_info.kernel, or a value of the wrong type)")
        }
        func value<T: RawRepresentable>(_ text: String?, _ key: String) throws(DomainConfigError) -> T? where T.RawValue == String {
            guard let text else { return nil }
            guard let value = T(rawValue: text) else { throw DomainConfigError(location: "libxl-json", key: key, message: "unknown value \"\(text)\"") }
            return value
        }
        func action(_ name: String?, _ key: String, default fallback: ShutdownAction) throws(DomainConfigError) -> ShutdownAction {
            guard let name else { return fallback }
            guard let action = ShutdownAction(libxlName: name) else {
                throw DomainConfigError(location: "libxl-json", key: key, message: "unknown action \"\(name)\"")
            }
            return action
        }
        self.init(name: record.c_info.name, kernel: record.b_info.kernel)
        if let text = record.c_info.uuid {
            guard let uuid = DomainUUID(text) else { throw DomainConfigError(location: "libxl-json", key: "c_info.uuid", message: "\"\(text)\" is not a UUID") }
            self.uuid = uuid
        }
        type = try value(record.c_info.type, "c_info.type") ?? .pvh
        passthrough = try value(record.c_info.passthrough, "c_info.passthrough") ?? .disabled
        let build = record.b_info
        vcpus = build.max_vcpus
        memoryMiB = build.target_memkb.map { $0 / 1024 }
        if let max = build.max_memkb, max != build.target_memkb { maxMemoryMiB = max / 1024 }
        ramdisk = build.ramdisk
        cmdline = build.cmdline
        deviceTree = build.device_tree
        irqs = build.irqs ?? []
        iomem = (build.iomem ?? []).map { IOMemRange(start: $0.start, number: $0.number, gfn: $0.gfn) }
        gicVersion = try value(build.arch_arm?.gic_version, "b_info.arch_arm.gic_version")
        vuart = try value(build.arch_arm?.vuart, "b_info.arch_arm.vuart")
        nrSPIs = build.arch_arm?.nr_spis
        disks = try (record.disks ?? []).map { (disk) throws(DomainConfigError) in try disk.disk() }
        nics = try (record.nics ?? []).map { (nic) throws(DomainConfigError) in try nic.networkInterface() }
        dtdevs = (record.dtdevs ?? []).map(\.path)
        staticSharedMemory = try (record.sshms ?? []).map { (shm) throws(DomainConfigError) -> StaticSharedMemory in
            guard let role: StaticSharedMemory.Role = try value(shm.role, "sshms.role"),
                let prot: StaticSharedMemory.Permission = try value(shm.prot, "sshms.prot")
            else { throw DomainConfigError(location: "libxl-json", key: "sshms", message: "an entry without role or prot") }
            let policy = shm.cache_policy.flatMap { name in StaticSharedMemory.CachePolicy.allCases.first { ASCII.lowercased($0.rawValue) == name } }
            return StaticSharedMemory(id: shm.id, role: role, begin: shm.begin, size: shm.size, offset: shm.offset ?? 0, prot: prot, cachePolicy: policy)
        }
        onPoweroff = try action(record.on_poweroff, "on_poweroff", default: .destroy)
        onReboot = try action(record.on_reboot, "on_reboot", default: .restart)
        onWatchdog = try action(record.on_watchdog, "on_watchdog", default: .destroy)
        onCrash = try action(record.on_crash, "on_crash", default: .destroy)
        onSoftReset = try action(record.on_soft_reset, "on_soft_reset", default: .softReset)
    }
}
