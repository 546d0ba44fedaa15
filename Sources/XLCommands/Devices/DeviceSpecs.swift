import Toolstack
import XLConfig

/// Where the arguments of `network-attach` and `block-attach` become device values: the plug for XLConfig's
/// spec parsers (`NetworkInterface(spec:)`, `Disk(specs:)`, on branch wt-pvparse, not yet on main).
///
/// Until they are merged only what needs no parsing is accepted: `network-attach DOMAIN` with no spec (all
/// of libxl's defaults). Every spec is refused in one line that says so.
enum DeviceSpecs {
    /// PARSER PLUG-IN POINT (vif): becomes `try NetworkInterface(spec: specs.joined(separator: ","))`,
    /// its `DeviceSpecError` thrown as `ToolstackError("network-attach \(domain): \(error.description)")`.
    static func networkInterface(_ specs: [String], domain: String) throws -> NetworkInterface {
        guard let first = specs.first else { return NetworkInterface() }
        throw ToolstackError("network-attach \(domain): \(first): this build has no vif spec parser yet; give no spec for libxl's defaults")
    }

    /// PARSER PLUG-IN POINT (disk): becomes `try Disk(specs: specs)`, its error as
    /// `ToolstackError("block-attach \(domain): \(error.description)")`.
    static func disk(_ specs: [String], domain: String) throws -> Disk {
        throw ToolstackError("block-attach \(domain): \(specs.joined(separator: ",")): this build has no disk spec parser yet")
    }
}
