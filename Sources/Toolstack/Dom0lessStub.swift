// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XLConfig

/// The libxl JSON stub for a dom0less domain, as `init-dom-json.c` writes it (`c_info` type, name and
/// uuid; `b_info` vCPUs and memory), kept at `/libxl/<domid>/libxl-json` so later `xl` commands
/// (`list -l`, `destroy`) find a configuration, and removed with the domain's other records.
struct Dom0lessStub: Codable, Hashable {
    struct CreateInfo: Codable, Hashable {
        var type = "pvh"
        var name: String
        var uuid: String
    }

    struct BuildInfo: Codable, Hashable {
        var max_vcpus: Int
        var max_memkb: UInt64
        var target_memkb: UInt64
    }

    var c_info: CreateInfo
    var b_info: BuildInfo

    /// The stub as libxl writes it to its userdata file: pretty, in `libxl_types.idl`'s key order.
    func libxlJSON() -> String {
        OrderedJSON.object([
            ("c_info", .object([("type", .string(c_info.type)), ("name", .string(c_info.name)), ("uuid", .string(c_info.uuid))])),
            ("b_info", .object([("max_vcpus", .unsigned(UInt64(max(b_info.max_vcpus, 0)))), ("max_memkb", .unsigned(b_info.max_memkb)),
                                ("target_memkb", .unsigned(b_info.target_memkb)),
                                // libxl reads the domain type back from this key (upstream's stub has it too).
                                ("type.\(c_info.type)", .object([]))])),
        ]).rendered(pretty: true)
    }

    /// The stub as compact JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension Dom0lessStub {
    /// A stub read back from its JSON; nil for anything else.
    init?(parsing text: String) {
        guard let stub = try? JSONDecoder().decode(Self.self, from: Data(text.utf8)) else { return nil }
        self = stub
    }
}
