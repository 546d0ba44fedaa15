// SPDX-License-Identifier: Apache-2.0
extension DomainConfig {
    /// Longest `dtdev` path Xen copies (`PAGE_SIZE`, including the NUL).
    public static let maxDTDevPathBytes = 4095
    /// Lowest passthrough IRQ: 0–31 are per-CPU SGIs and PPIs.
    public static let firstSPI: UInt64 = 32
    /// Highest IRQ libxc can carry (`xc_domain_bind_pt_spi_irq` takes a `uint16_t`).
    public static let maxIRQ: UInt64 = 65535

    /// `device_tree`, `dtdev`, `irqs` and `iomem`, with xl's syntax and the checks xl leaves to Xen.
    mutating func readPassthroughDevices(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        deviceTree = try reader.string("device_tree")
        if let path = deviceTree, path.isEmpty {
            throw reader.error("device_tree", "expected the path of a partial device tree blob, found \"\"")
        }
        for (path, value) in try reader.list("dtdev", example: "[ \"/soc/ethernet@ff0e0000\" ]") ?? [] {
            guard path.hasPrefix("/"), path.utf8.count <= Self.maxDTDevPathBytes else {
                throw reader.error("dtdev", at: value, "expected an absolute host device-tree path of at most "
                    + "\(Self.maxDTDevPathBytes) bytes, such as \"/soc/ethernet@ff0e0000\", found \(ConfigQuoting.quoted(path))")
            }
            guard !dtdevs.contains(path) else {
                throw reader.error("dtdev", at: value, "\(ConfigQuoting.quoted(path)) is listed twice")
            }
            locations[Self.entryLocationKey("dtdev", dtdevs.count)] = reader.location("dtdev", at: value)
            dtdevs.append(path)
        }
        for (text, value) in try reader.list("irqs", example: "[ 112, 113 ]") ?? [] {
            let irq = try Self.irq(text, at: value, reader)
            guard !irqs.contains(irq) else { throw reader.error("irqs", at: value, "IRQ \(irq) is listed twice") }
            locations[Self.entryLocationKey("irqs", irqs.count)] = reader.location("irqs", at: value)
            irqs.append(irq)
        }
        for (text, value) in try reader.list("iomem", example: "[ \"0xfff51,1@0x10000\" ]") ?? [] {
            do {
                let range = try IOMemRange(parsing: text)
                locations[Self.entryLocationKey("iomem", iomem.count)] = reader.location("iomem", at: value)
                iomem.append(range)
            } catch {
                throw reader.error("iomem", at: value, error.reason)
            }
        }
    }

    /// The key under which ``locations`` keeps where entry `index` of the list `key` (`dtdev`, `irqs`, `iomem`) is.
    public static func entryLocationKey(_ key: String, _ index: Int) -> String { "\(key)[\(index)]" }

    /// One `irqs` entry: xl reads it with `strtoul(…, 10)`, so it is decimal only.
    private static func irq(_ text: String, at value: ConfigValue, _ reader: DomainConfigReader) throws(DomainConfigError) -> UInt32 {
        let bytes = Array(text.utf8)
        let scan = CNumber.scan(bytes, base: 10)
        let range = "\(firstSPI) to \(maxIRQ)"
        guard scan.end > 0, scan.end == bytes.count else {
            let hint = text.hasPrefix("0x") ? " (irqs are decimal: xl rejects hexadecimal here)" : ""
            throw reader.error("irqs", at: value, "expected a decimal IRQ number from \(range), found "
                + "\(ConfigQuoting.quoted(text))\(hint)")
        }
        guard !scan.negative, !scan.overflow, (firstSPI...maxIRQ).contains(scan.magnitude) else {
            let why = scan.magnitude < firstSPI && !scan.negative ? " (IRQs below 32 are per-CPU and cannot be passed through)" : ""
            throw reader.error("irqs", at: value, "expected a decimal IRQ number from \(range), found \(text)\(why)")
        }
        return UInt32(scan.magnitude)
    }

    /// `passthrough`, resolved as libxl does on ARM: default follows `dtdev`, `enabled` is `share_pt`.
    mutating func readPassthroughMode(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        let requested = try reader.caseInsensitive("passthrough", as: PassthroughMode.self) ?? .default
        switch requested {
        case .default:
            passthrough = dtdevs.isEmpty ? .disabled : .sharePT
        case .enabled, .sharePT:
            passthrough = .sharePT
        case .disabled:
            guard dtdevs.isEmpty else {
                throw reader.error("passthrough", "\"disabled\" but dtdev lists devices: expected \"enabled\" "
                    + "or \"share_pt\", or no dtdev")
            }
            passthrough = .disabled
        case .syncPT:
            throw reader.error("passthrough", "\"sync_pt\" is not supported on ARM: expected \"enabled\", "
                + "\"share_pt\" or \"disabled\"")
        }
    }
}
