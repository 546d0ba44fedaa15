// SPDX-License-Identifier: Apache-2.0
import Toolstack
import XLConfig

/// Where the arguments of `network-attach` and `block-attach` become device values, through XLConfig's spec
/// parsers: the arguments are one spec, as upstream reads them (one setting each, joined with commas).
enum DeviceSpecs {
    static func networkInterface(_ specs: [String], domain: String) throws -> NetworkInterface {
        guard !specs.isEmpty else { return NetworkInterface() }
        do { return try NetworkInterface(spec: specs.joined(separator: ",")) } catch {
            throw ToolstackError("network-attach \(domain): \(error.description)")
        }
    }

    static func disk(_ specs: [String], domain: String) throws -> Disk {
        do { return try Disk(specs: specs) } catch {
            throw ToolstackError("block-attach \(domain): \(error.description)")
        }
    }
}
