// SPDX-License-Identifier: Apache-2.0
extension Disk {
    /// One disk spec as libxlutil's `xlu_disk_parse` reads it (``init(specs:)`` with one spec).
    public init(spec: String) throws(DeviceSpecError) {
        try self.init(specs: [spec])
    }

    /// Disk specs as libxlutil's `xlu_disk_parse` reads them, one after the other into the same disk (as
    /// `xl block-attach` passes its arguments): `key=value` parameters, the positional `TARGET,FORMAT,VDEV,ACCESS`,
    /// legacy prefixes (`phy:`, `file:`, `tap:aio:`, `qcow2:`…), `target=` taking the rest of the spec. Then
    /// libxlutil's defaults: format raw, read-write; a CD-ROM is removable and read-only, and empty without a target.
    /// - Throws: the first thing upstream reports, naming the spec and the key, with what to write instead.
    public init(specs: [String]) throws(DeviceSpecError) {
        var state = DiskSpecState()
        for spec in specs {
            state.spec = spec
            // C sees the spec up to its first NUL.
            let bytes = spec.utf8.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false).first.map { Array($0) } ?? []
            var scanner = DiskSpecScanner(bytes)
            while let token = scanner.next() { try state.apply(token) }
        }
        let spec = specs.joined(separator: " ")
        if state.format == nil { state.format = .raw }
        if state.isCDROM {
            state.readWrite = false
            if state.target?.isEmpty ?? true { state.format = .empty }
        }
        guard let vdev = state.vdev else {
            throw DeviceSpecError(device: "disk", spec: spec, key: "vdev", message: "no virtual device given; add vdev=xvda (or the third positional parameter)")
        }
        guard state.target != nil || state.isCDROM else {
            throw DeviceSpecError(device: "disk", spec: spec, key: "target", message: "no target given and the drive is not removable; add target=PATH, or devtype=cdrom for an empty drive")
        }
        self.init(vdev: vdev)
        target = state.target
        format = state.format
        readWrite = state.readWrite
        isCDROM = state.isCDROM
        backendType = state.backendType
        backendDomain = state.backendDomain
        script = state.script
        discard = state.discard
        directIOSafe = state.directIOSafe
        specification = state.specification
        trusted = state.trusted
        grantUsage = state.grantUsage
    }
}

/// What the disk scanner's actions have set so far (`DiskParseContext` and its `libxl_device_disk`).
struct DiskSpecState {
    var spec = ""
    var target: String?
    var vdev: String?
    var format: DiskFormat?
    var readWrite = true
    var isCDROM = false
    var backendType: DiskBackendType?
    var backendDomain: String?
    var script: String?
    var discard: Bool?
    var directIOSafe = false
    var specification: DiskSpecification?
    var trusted: Bool?
    var grantUsage: Bool?
    var hadLegacyPrefix = false
    var accessSet = false

    func fail(_ key: String, _ message: String) -> DeviceSpecError {
        DeviceSpecError(device: "disk", spec: spec, key: key, message: message)
    }

    mutating func apply(_ token: DiskSpecScanner.Token) throws(DeviceSpecError) {
        var text = token.text
        if text.last == UInt8(ascii: ",") { text = text.dropLast() }
        let whole = String(decoding: text, as: UTF8.self)
        let value = text.firstIndex(of: UInt8(ascii: "=")).map { String(decoding: text[($0 + 1)...], as: UTF8.self) } ?? ""
        switch token.rule {
        case .whitespace: break
        case .format: try setFormat(value, key: "format")
        case .cdrom, .devtypeCDROM: isCDROM = true
        case .devtypeDisk: isCDROM = false
        case .devtypeOther:
            throw fail("devtype", "expected devtype=disk or devtype=cdrom, found \(ConfigQuoting.quoted(whole))")
        case .access: try setAccess(value, key: "access")
        case .backend: try save(&backendDomain, value, key: "backend")
        case .backendType:
            guard let type = DiskBackendType(rawValue: value) else {
                throw fail("backendtype", "expected backendtype=phy, tap, qdisk or standalone, found \(ConfigQuoting.quoted(value))")
            }
            guard backendType == nil || backendType == type else {
                throw fail("backendtype", "given twice (\(backendType?.rawValue ?? "") and \(type.rawValue)); keep one")
            }
            backendType = type
        case .specification:
            guard let kind = DiskSpecification(rawValue: value) else {
                throw fail("specification", "expected specification=xen or specification=virtio, found \(ConfigQuoting.quoted(value))")
            }
            guard specification == nil || specification == kind else {
                throw fail("specification", "given twice (\(specification?.rawValue ?? "") and \(kind.rawValue)); keep one")
            }
            specification = kind
        case .vdev: try save(&vdev, value, key: "vdev")
        case .script: try save(&script, value, key: "script")
        case .directIOSafe: directIOSafe = true
        case .discard: discard = true
        case .noDiscard: discard = false
        case .colo, .noColo, .coloHost, .coloPort, .coloExport, .activeDisk, .hiddenDisk:
            let key = whole.split(separator: "=", maxSplits: 1).first.map(String.init) ?? whole
            throw fail(key, "COLO replication is not available on ARM; remove \(key)")
        case .trusted: trusted = true
        case .untrusted: trusted = false
        case .grantUsageOn: grantUsage = true
        case .grantUsageOff: grantUsage = false
        case .target: try save(&target, value, key: "target")
        case .unknownParameter:
            let key = whole.split(separator: "=", maxSplits: 1).first.map(String.init) ?? whole
            let hint = UpstreamKeys.nearest(to: key, among: Self.keys).map { "did you mean \($0)=? " } ?? ""
            throw fail(key, "not a disk parameter; \(hint)write one of \(Self.keys.sorted().map { $0 + "=" }.joined(separator: ", ")), "
                + "or a path with ',' or '=' as target=PATH, last")
        case .formatPrefix:
            hadLegacyPrefix = true
            try setFormat(String(whole.dropLast()), key: "format")
        case .scriptPrefix:
            hadLegacyPrefix = true
            try save(&script, "block-" + whole.dropLast(), key: "script")
        case .tapdiskPrefix, .tapPrefix, .aioPrefix, .ioemuPrefix, .filePrefix, .phyPrefix:
            hadLegacyPrefix = true
        case .unknownPrefix:
            throw fail(whole, "not a disk prefix; write phy:, file:, tap:aio:, raw:, qcow:, qcow2: or vhd:, or target=\(whole)... "
                + "for a target with a colon")
        case .positional:
            try positional(whole)
        case .bad:
            throw fail(whole, "bad disk syntax: a parameter starts with '='; write key=value, or target=PATH for a path with '='")
        }
    }

    /// The keys of `key=value` parameters, for suggestions.
    static let keys: Set<String> = ["format", "devtype", "access", "backend", "backendtype", "specification", "vdev", "script", "target"]

    /// A positional parameter: target, then format (unless a legacy prefix gave one), then vdev, then access.
    private mutating func positional(_ text: String) throws(DeviceSpecError) {
        if target == nil {
            target = text
        } else if !hadLegacyPrefix && format == nil {
            if target == "", try vdevAndDevtype(text) {
                format = .empty
            } else {
                try setFormat(text, key: "format (the second positional parameter)")
            }
        } else if vdev == nil {
            if try !vdevAndDevtype(text) { try save(&vdev, text, key: "vdev") }
        } else if !accessSet {
            accessSet = true
            try setAccess(text, key: "access (the fourth positional parameter)")
        } else {
            throw fail(text, "too many positional parameters (TARGET,FORMAT,VDEV,ACCESS); write the others as key=value, "
                + "or a path with ',' as target=PATH, last")
        }
    }

    /// `VDEV:cdrom` or `VDEV:disk` (split at the last colon); false when `text` has no colon.
    private mutating func vdevAndDevtype(_ text: String) throws(DeviceSpecError) -> Bool {
        guard let colon = text.utf8.lastIndex(of: UInt8(ascii: ":")) else { return false }
        try save(&vdev, String(text[..<colon]), key: "vdev")
        switch text[text.index(after: colon)...] {
        case "cdrom": isCDROM = true
        case "disk": isCDROM = false
        case let other: throw fail("vdev", "expected VDEV:cdrom or VDEV:disk, found \(ConfigQuoting.quoted(String(other))) after the colon; or write devtype=cdrom")
        }
        return true
    }

    /// `SAVESTRING`: a second non-empty value is an error; an empty one may be replaced.
    private func save(_ field: inout String?, _ value: String, key: String) throws(DeviceSpecError) {
        if let old = field, !old.isEmpty {
            throw fail(key, "given twice (\(ConfigQuoting.quoted(old)) and \(ConfigQuoting.quoted(value))); keep one"
                + (key == "target" ? ", or write a path with ',' or '=' as target=PATH, last" : ""))
        }
        field = value
    }

    /// `setformat`: `""` is raw; a different format than one already set is an error.
    private mutating func setFormat(_ text: String, key: String) throws(DeviceSpecError) {
        guard let value: DiskFormat = text.isEmpty ? .raw : DiskFormat(rawValue: text) else {
            throw fail(key, "expected raw, qcow, qcow2, vhd, qed or empty, found \(ConfigQuoting.quoted(text))"
                + (key == "format" ? "" : "; positional parameters are TARGET,FORMAT,VDEV,ACCESS, so write vdev= for the virtual device"))
        }
        guard format == nil || format == value else {
            throw fail("format", "given twice (\(format?.rawValue ?? "") and \(value.rawValue)); keep one")
        }
        format = value
    }

    /// `setaccess`: `r`/`ro`, or `w`/`rw`/`""`.
    private mutating func setAccess(_ text: String, key: String) throws(DeviceSpecError) {
        switch text {
        case "r", "ro": readWrite = false
        case "w", "rw", "": readWrite = true
        default: throw fail(key, "expected ro, r, rw or w, found \(ConfigQuoting.quoted(text))")
        }
    }
}
