import FoundationEssentials

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

    /// The stub as compact JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
