// SPDX-License-Identifier: Apache-2.0
extension DomainConfig {
    /// The `libxl_domain_config` JSON that `xl -N create` prints, limited to the keys this type holds, in
    /// libxl's key order (that of `libxl_types.idl`), the same on every run; on one line when not `pretty`
    /// (the record `xl create` keeps for `xl list -l`).
    public func libxlJSON(pretty: Bool = true) -> String {
        LibxlDomainConfig(self).ordered.rendered(pretty: pretty)
    }
}

/// `libxl_domain_config`, with libxl's field names and nesting.
struct LibxlDomainConfig: Codable, Hashable {
    struct CreateInfo: Codable, Hashable {
        var type: String
        var name: String
        var uuid: String?
        var passthrough: String
    }

    struct ArchARM: Codable, Hashable {
        var gic_version: String?
        var vuart: String?
        var nr_spis: UInt32?
    }

    struct IOMem: Codable, Hashable {
        var start: UInt64
        var number: UInt64
        var gfn: UInt64
    }

    struct BuildInfo: Codable, Hashable {
        var max_vcpus: UInt32?
        var avail_vcpus: [UInt32]?
        var max_memkb: UInt64?
        var target_memkb: UInt64?
        var device_tree: String?
        var irqs: [UInt32]?
        var iomem: [IOMem]?
        var kernel: String
        var cmdline: String?
        var ramdisk: String?
        var arch_arm: ArchARM?
    }

    struct DTDev: Codable, Hashable {
        var path: String
    }

    /// `libxl_static_shm` of the Xilinx fork; enum values as its `*_to_string` spell them.
    struct StaticSHM: Codable, Hashable {
        var id: String
        var offset: UInt64?
        var begin: UInt64
        var size: UInt64
        var prot: String
        var cache_policy: String?
        var role: String

        init(_ spec: StaticSharedMemory) {
            id = spec.id
            offset = spec.role == .borrower ? spec.offset : nil
            begin = spec.begin
            size = spec.size
            prot = spec.prot.rawValue
            cache_policy = spec.cachePolicy.map { ASCII.lowercased($0.rawValue) }
            role = spec.role.rawValue
        }
    }

    var c_info: CreateInfo
    var b_info: BuildInfo
    var disks: [LibxlDisk]?
    var nics: [LibxlNic]?
    var dtdevs: [DTDev]?
    var sshms: [StaticSHM]?
    var on_poweroff: String
    var on_reboot: String
    /// Absent from records written before this xl knew `on_watchdog` and `on_soft_reset`.
    var on_watchdog: String?
    var on_crash: String
    var on_soft_reset: String?

    /// This configuration with libxl's key order, leaving out what is not set, as libxl leaves out defaults.
    var ordered: OrderedJSON {
        func members(_ list: [(String, OrderedJSON?)]) -> OrderedJSON { .object(list.compactMap { key, value in value.map { (key, $0) } }) }
        let numbers = { (values: [UInt32]) in OrderedJSON.array(values.map { .unsigned(UInt64($0)) }) }
        let arch = b_info.arch_arm.map { arch in
            members([("gic_version", arch.gic_version.map(OrderedJSON.string)), ("vuart", arch.vuart.map(OrderedJSON.string)),
                     ("nr_spis", arch.nr_spis.map { .unsigned(UInt64($0)) })])
        }
        return members([
            ("c_info", members([
                ("type", .string(c_info.type)), ("name", .string(c_info.name)), ("uuid", c_info.uuid.map(OrderedJSON.string)),
                ("passthrough", .string(c_info.passthrough)),
            ])),
            ("b_info", members([
                ("max_vcpus", b_info.max_vcpus.map { .unsigned(UInt64($0)) }), ("avail_vcpus", b_info.avail_vcpus.map(numbers)),
                ("max_memkb", b_info.max_memkb.map(OrderedJSON.unsigned)), ("target_memkb", b_info.target_memkb.map(OrderedJSON.unsigned)),
                ("irqs", b_info.irqs.map(numbers)),
                ("iomem", b_info.iomem.map { .array($0.map { members([("start", .unsigned($0.start)), ("number", .unsigned($0.number)), ("gfn", .unsigned($0.gfn))]) }) }),
                ("kernel", .string(b_info.kernel)), ("cmdline", b_info.cmdline.map(OrderedJSON.string)),
                ("ramdisk", b_info.ramdisk.map(OrderedJSON.string)), ("device_tree", b_info.device_tree.map(OrderedJSON.string)),
                // The keyed union `u`: libxl keys it by the domain type and reads the type back from the key, and
                // its `xl list -l` aborts on a record without it.
                ("type.\(c_info.type)", .object([])),
                ("arch_arm", arch),
            ])),
            ("disks", disks.map { .array($0.map(\.ordered)) }),
            ("nics", nics.map { .array($0.map(\.ordered)) }),
            ("dtdevs", dtdevs.map { .array($0.map { members([("path", .string($0.path))]) }) }),
            ("sshms", sshms.map { .array($0.map { shm in
                members([
                    ("id", .string(shm.id)), ("offset", shm.offset.map(OrderedJSON.unsigned)), ("begin", .unsigned(shm.begin)),
                    ("size", .unsigned(shm.size)), ("prot", .string(shm.prot)), ("cache_policy", shm.cache_policy.map(OrderedJSON.string)),
                    ("role", .string(shm.role)),
                ])
            }) }),
            ("on_poweroff", .string(on_poweroff)), ("on_reboot", .string(on_reboot)), ("on_watchdog", on_watchdog.map(OrderedJSON.string)),
            ("on_crash", .string(on_crash)), ("on_soft_reset", on_soft_reset.map(OrderedJSON.string)),
        ])
    }

    init(_ config: DomainConfig) {
        c_info = CreateInfo(
            type: config.type.rawValue, name: config.name, uuid: config.uuid?.description,
            passthrough: config.passthrough.rawValue)
        let memkb = config.memoryMiB.map { $0 * 1024 }
        let arch = ArchARM(gic_version: config.gicVersion?.rawValue, vuart: config.vuart?.rawValue, nr_spis: config.nrSPIs)
        b_info = BuildInfo(
            max_vcpus: config.vcpus,
            avail_vcpus: config.vcpus.map { Array(0..<$0) },
            max_memkb: config.maxMemoryMiB.map { $0 * 1024 } ?? memkb,
            target_memkb: memkb,
            device_tree: config.deviceTree,
            irqs: config.irqs.isEmpty ? nil : config.irqs,
            iomem: config.iomem.isEmpty ? nil : config.iomem.map { IOMem(start: $0.start, number: $0.number, gfn: $0.gfn) },
            kernel: config.kernel,
            cmdline: config.cmdline,
            ramdisk: config.ramdisk,
            arch_arm: arch == ArchARM() ? nil : arch)
        disks = config.disks.isEmpty ? nil : config.disks.map(LibxlDisk.init)
        nics = config.nics.isEmpty ? nil : config.nics.map(LibxlNic.init)
        dtdevs = config.dtdevs.isEmpty ? nil : config.dtdevs.map(DTDev.init(path:))
        sshms = config.staticSharedMemory.isEmpty ? nil : config.staticSharedMemory.map(StaticSHM.init)
        on_poweroff = config.onPoweroff.libxlName
        on_reboot = config.onReboot.libxlName
        on_watchdog = config.onWatchdog.libxlName
        on_crash = config.onCrash.libxlName
        on_soft_reset = config.onSoftReset.libxlName
    }
}
