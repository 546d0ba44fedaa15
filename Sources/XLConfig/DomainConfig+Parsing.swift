// SPDX-License-Identifier: Apache-2.0
extension DomainConfig {
    /// Most vCPUs an ARM64 guest can have (`MAX_VIRT_CPUS`).
    public static let maxVCPUs: Int64 = 128
    /// Most SPIs a guest GIC can have: 1020 interrupt IDs, 32 of them per-CPU.
    public static let maxSPIs: Int64 = 988

    /// Reads the typed configuration from a parsed config file (overrides already applied).
    /// - Throws: `DomainConfigError` naming the file, line, key and what is allowed, for the first bad value.
    public init(file: ConfigFile) throws(DomainConfigError) {
        var reader = DomainConfigReader(file: file)
        guard let name = try reader.string("name") else {
            throw reader.error("name", "required: expected the domain's name, as in name = \"guest\"")
        }
        guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "/")) else {
            throw reader.error("name", "expected a non-empty name without '/', found \(ConfigQuoting.quoted(name))")
        }
        guard let kernel = try reader.string("kernel") else {
            throw reader.error("kernel", "required: expected the path of the guest kernel, as in kernel = \"/boot/Image\"")
        }
        self.init(name: name, kernel: kernel)

        if let text = try reader.string("uuid") {
            guard let uuid = DomainUUID(text) else {
                throw reader.error("uuid", "expected a UUID such as \"6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55\", "
                    + "found \(ConfigQuoting.quoted(text))")
            }
            self.uuid = uuid
        }
        try readType(&reader)
        try readMemory(&reader)
        if let count = try reader.integer("vcpus", in: 1...Self.maxVCPUs, meaning: "a vCPU count") {
            vcpus = UInt32(count)
        }
        ramdisk = try reader.string("ramdisk")
        cmdline = try Self.commandLine(&reader)
        gicVersion = try reader.caseInsensitive("gic_version", as: GICVersion.self)
        if let spis = try reader.integer("nr_spis", in: 0...Self.maxSPIs, meaning: "an SPI count") {
            nrSPIs = UInt32(spis)
        }
        vuart = try reader.caseInsensitive("vuart", as: VUARTType.self)
        onPoweroff = try Self.action(&reader, "on_poweroff") ?? .destroy
        onReboot = try Self.action(&reader, "on_reboot") ?? .restart
        onCrash = try Self.action(&reader, "on_crash") ?? .destroy
        onWatchdog = try Self.action(&reader, "on_watchdog") ?? .destroy
        onSoftReset = try Self.action(&reader, "on_soft_reset") ?? .softReset
        try readPassthroughDevices(&reader)
        try readPassthroughMode(&reader)
        try readStaticSharedMemory(&reader)
        try readDevices(&reader)

        warnings = reader.warnings
        try readOtherKeys(&reader)
        for key in file.keys where Self.knownKeys.contains(key) {
            locations[key] = file[key]?.location
        }
    }

    /// The keys a typo may be nearest to: ours, and upstream's that this xl lacks or ignores.
    private static let suggestedKeys = knownKeys.union(UpstreamKeys.lacking.keys).union(UpstreamKeys.ignoredOnARM)

    /// Keys this xl does not read: one upstream would act on for an ARM PVH guest is refused (the guest would
    /// boot without what it asks for); one upstream ignores on ARM is noted for `-v`; one no xl knows is warned
    /// about, with the nearest known key.
    private mutating func readOtherKeys(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        for key in reader.file.keys where !Self.knownKeys.contains(key) {
            // An empty list (`disk = []`) asks upstream for nothing either.
            if let what = UpstreamKeys.lacking[key], reader.file[key]?.value.list?.isEmpty != true {
                throw reader.error(key, "this xl does not implement \(key)= (\(what)) yet, and the guest would start without it; "
                    + "remove the key, or create this guest with upstream's xl")
            }
            if UpstreamKeys.ignoredOnARM.contains(key) || UpstreamKeys.lacking[key] != nil {
                ignoredKeys.append(key)
            } else {
                unknownKeys.append(key)
                let hint = UpstreamKeys.nearest(to: key, among: Self.suggestedKeys).map { "; did you mean \($0)?" } ?? ""
                keyWarnings.append("\(reader.file[key]?.location ?? reader.file.source): \(key): warning: xl.cfg has no such key, it is ignored\(hint)")
            }
        }
    }

    /// `type`: xl's prefix matching, then libxl's ARM rule (PV becomes PVH, HVM does not exist).
    private mutating func readType(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        guard let text = try reader.string("type") else { return }
        switch DomainType.requested(text) {
        case .pvh:
            type = .pvh
        case .pv:
            type = .pvh
            reader.warn("type", "\(ConfigQuoting.quoted(text)) means pv, which libxl turns into pvh on ARM; write \"pvh\"")
        case .hvm:
            throw reader.error("type", "expected \"pvh\" (ARM guests are PVH), found \(ConfigQuoting.quoted(text)), "
                + "which xl reads as hvm")
        case nil:
            throw reader.error("type", "expected \"pvh\", found \(ConfigQuoting.quoted(text))")
        }
    }

    /// `memory` and `maxmem`, in MiB.
    private mutating func readMemory(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        let mibLimit = Int64.max / 1024 / 1024
        if let memory = try reader.integer("memory", in: 1...mibLimit, meaning: "a size in MiB") {
            memoryMiB = UInt64(memory)
        }
        if let maxmem = try reader.integer("maxmem", in: 1...mibLimit, meaning: "a size in MiB") {
            if let memory = memoryMiB, UInt64(maxmem) < memory {
                throw reader.error("maxmem", "expected at least memory (\(memory) MiB), found \(maxmem)")
            }
            maxMemoryMiB = UInt64(maxmem)
        }
    }

    /// `cmdline`, else `root=ROOT EXTRA` (`parse_cmdline` in xl_parse.c).
    private static func commandLine(_ reader: inout DomainConfigReader) throws(DomainConfigError) -> String? {
        let cmdline = try reader.string("cmdline")
        let root = try reader.string("root")
        let extra = try reader.string("extra")
        if let cmdline {
            if root != nil || extra != nil {
                reader.warn("cmdline", "ignoring root= and extra= in favour of cmdline=")
            }
            return cmdline
        }
        switch (root, extra) {
        case (let root?, let extra?): return "root=\(root) \(extra)"
        case (let root?, nil): return "root=\(root)"
        case (nil, let extra?): return extra
        case (nil, nil): return nil
        }
    }

    private static func action(_ reader: inout DomainConfigReader, _ key: String) throws(DomainConfigError) -> ShutdownAction? {
        guard let text = try reader.string(key) else { return nil }
        guard let action = ShutdownAction(rawValue: text) else {
            let names = DomainConfigReader.names(ShutdownAction.allCases.map(\.rawValue))
            throw reader.error(key, "expected one of \(names), found \(ConfigQuoting.quoted(text))")
        }
        return action
    }
}
