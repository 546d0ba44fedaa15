// SPDX-License-Identifier: Apache-2.0
extension NetworkInterface {
    /// Largest `devid=` or `mtu=`: libxl keeps both in a C `int`.
    public static let maxInteger = Int(Int32.max)

    /// One vif spec as upstream's xl reads it (`parse_nic_config` in xl_parse.c): comma-separated `key=value`
    /// items, empty items skipped, spaces before an item dropped, the last of a repeated key winning.
    /// Where upstream prints an error and goes on with a half-read device (an unknown key, a bad `mac=` or
    /// `type=`), this throws; where it only notes something (`netdev=`, `accel=`, text after a number), the
    /// note goes to `warnings`.
    public init(spec: String, warnings: inout [String]) throws(DeviceSpecError) {
        self.init()
        let visible = spec.utf8.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false).first.map { Array($0) } ?? []
        for item in visible.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            let token = String(decoding: item.drop { $0 == UInt8(ascii: " ") }, as: UTF8.self)
            try apply(token, spec: spec, warnings: &warnings)
        }
    }

    /// ``init(spec:warnings:)`` without the notes.
    public init(spec: String) throws(DeviceSpecError) {
        var warnings: [String] = []
        try self.init(spec: spec, warnings: &warnings)
    }

    /// The COLO keys upstream reads into a vif; COLO replication does not exist on ARM, so they are refused.
    static func isCOLOKey(_ key: String) -> Bool { key == "forwarddev" || key.hasPrefix("colo_") }

    private mutating func apply(_ token: String, spec: String, warnings: inout [String]) throws(DeviceSpecError) {
        func fail(_ key: String, _ message: String) -> DeviceSpecError {
            DeviceSpecError(device: "vif", spec: spec, key: key, message: message)
        }
        if token == "trusted" { trusted = true; return }
        if token == "untrusted" { trusted = false; return }
        guard let equals = token.utf8.firstIndex(of: UInt8(ascii: "=")) else {
            throw fail(token.isEmpty ? "(empty)" : token, "not a vif key; write key=value with one of \(Self.keyNames), or trusted/untrusted")
        }
        let key = String(token[..<equals])
        let value = String(token[token.index(after: equals)...])
        switch key {
        case "type":
            switch value {
            case "vif": type = .vif
            case "ioemu": type = .ioemu
            default: throw fail(key, "expected type=vif (a PV interface) or type=ioemu, found \(ConfigQuoting.quoted(value))")
            }
        case "mac":
            mac = try Self.mac(value) { fail(key, $0) }
        case "bridge": bridge = value
        case "netdev":
            warnings.append("\(ConfigQuoting.quoted(spec)): netdev: deprecated, read as gatewaydev=; write gatewaydev=\(value)")
            gatewaydev = value
        case "gatewaydev": gatewaydev = value
        case "ip": ip = value
        case "script": script = value
        case "backend": backendDomain = value
        case "vifname": vifname = value
        case "model": model = value
        case "vlan": vlan = value
        case "rate":
            do { rate = try NetworkRate(parsing: value) } catch { throw fail(key, error.reason) }
        case "accel":
            warnings.append("\(ConfigQuoting.quoted(spec)): accel: not supported, ignored as upstream's xl ignores it; remove accel=")
        case "devid":
            devid = try Self.integer(value, key: key, spec: spec, warnings: &warnings) { fail(key, $0) }
        case "mtu":
            let number = try Self.integer(value, key: key, spec: spec, warnings: &warnings) { fail(key, $0) }
            mtu = number == 0 ? nil : number
        case _ where Self.isCOLOKey(key):
            throw fail(key, "COLO replication is not available on ARM; remove \(key)=")
        default:
            let hint = UpstreamKeys.nearest(to: key, among: Self.keys).map { "did you mean \($0)=? " } ?? ""
            throw fail(key, "not a vif key; \(hint)write one of \(Self.keyNames)")
        }
    }

    /// The `key=value` keys of a vif spec.
    static let keys = ["mac", "bridge", "ip", "script", "vifname", "type", "model", "backend", "rate", "mtu", "devid", "gatewaydev", "vlan"]
    private static var keyNames: String { keys.map { $0 + "=" }.joined(separator: ", ") }

    /// `mac=`: six numbers read with `strtoul(…, 16)`, each at most 255, each followed by one separator byte
    /// (any byte, usually `:`); what follows the sixth is ignored, as upstream. An all-zero address is libxl's
    /// "pick one at random", so it reads as nil.
    private static func mac(_ text: String, _ fail: (String) -> DeviceSpecError) throws(DeviceSpecError) -> MACAddress? {
        let bytes = Array(text.utf8)
        var octets: [UInt8] = []
        var index = 0
        let expected = "expected six hex octets such as mac=00:16:3e:12:34:56, found \(ConfigQuoting.quoted(text))"
        while octets.count < 6 {
            guard index < bytes.count else { throw fail(expected) }
            let scan = CNumber.scan(bytes, from: index, base: 16)
            let value = CNumber.unsignedValue(scan)
            guard scan.end > index, value <= 255 else { throw fail(expected) }
            octets.append(UInt8(value))
            index = scan.end + 1
        }
        guard octets.contains(where: { $0 != 0 }) else { return nil }
        return MACAddress(octets: octets)
    }

    /// `devid=` and `mtu=`: xl's `parse_ulong` (`strtoul` base 10, text after the number ignored), limited to
    /// what libxl's `int` holds instead of wrapping.
    private static func integer(
        _ text: String, key: String, spec: String, warnings: inout [String], _ fail: (String) -> DeviceSpecError
    ) throws(DeviceSpecError) -> Int {
        let bytes = Array(text.utf8)
        let scan = CNumber.scan(bytes, base: 10)
        let value = CNumber.unsignedValue(scan)
        guard scan.end > 0, value <= UInt64(maxInteger) else {
            throw fail("expected a decimal number from 0 to \(maxInteger), found \(ConfigQuoting.quoted(text))")
        }
        if scan.end < bytes.count {
            let rest = String(decoding: bytes[scan.end...], as: UTF8.self)
            warnings.append("\(ConfigQuoting.quoted(spec)): \(key): \(ConfigQuoting.quoted(rest)) after the number is ignored, as upstream's xl ignores it; write \(key)=\(value)")
        }
        return Int(value)
    }
}
