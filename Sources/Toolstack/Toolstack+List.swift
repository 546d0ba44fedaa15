// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

/// One row of `xl list`: what Xen reports and the name xenstore records.
public struct DomainListing: Hashable, Sendable, Codable {
    public var domid: UInt16
    public var name: String
    public var memoryKiB: UInt64
    public var vcpus: Int
    public var state: String
    public var cpuTime: Double
    /// The domain handle as a UUID (`-v`).
    public var uuid: String
    /// The `SHUTDOWN_*` code of a shut-down domain; nil while it runs (`-v`).
    public var shutdownReason: UInt8?
    /// The name of the domain's CPU pool (`-c`).
    public var cpupool: String
}

/// One entry of `xl list -l`: a domain and its configuration.
public struct DomainConfigListing: Hashable, Sendable {
    public var domid: UInt16
    /// The libxl JSON recorded at creation (by `xl create`, `init-dom0less` or upstream's toolstack), keys in its order.
    public var config: RecordJSON
}

extension Toolstack {
    /// `xl list`: every domain, in domid order.
    public func listDomains() throws -> [DomainListing] {
        let domains = try domainInfos()
        return try domains.map { info in
            DomainListing(domid: info.id.rawValue, name: try domainName(info.id) ?? "(null)", memoryKiB: info.memoryKiB,
                          vcpus: info.vcpus, state: info.listColumn, cpuTime: Double(info.cpuTimeNs) / 1e9,
                          uuid: Self.uuidText(info.handle ?? Array(repeating: 0, count: 16)),
                          shutdownReason: info.state.contains(.shutdown) ? info.shutdownReason ?? 0 : nil, cpupool: try poolName(info.cpupool))
        }
    }

    /// libxl's `LIBXL_UUID_FMT`: 16 bytes as lower-case hex in 8-4-4-4-12 groups.
    static func uuidText(_ bytes: [UInt8]) -> String {
        let digits = "0123456789abcdef".map { $0 }
        var text = ""
        for (index, byte) in bytes.prefix(16).enumerated() {
            if [4, 6, 8, 10].contains(index) { text += "-" }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return text
    }

    /// libxl's `libxl_cpupoolid_to_name`: `/local/pool/ID/name`. A pool without one gets `Pool-ID`, the name
    /// `xen-init-dom0` gives every pool at boot (upstream's `list -c` prints `(null)`, and its `cpupool-list` fails).
    func poolName(_ id: UInt32) throws -> String {
        let path = "/local/pool/\(id)/name"
        let name: String?
        do { name = try xenstore.readString(path) } catch { throw ToolstackError("cannot read \(path): \(error.errno)") }
        return name ?? "Pool-\(id)"
    }

    /// `xl list -l`: every domain with its recorded configuration (libxl's userdata file, else the xenstore copy). As
    /// upstream, a domain without one (a record that is missing or is not a JSON object) is left out.
    public func listDomainConfigs() throws -> [DomainConfigListing] {
        try domainInfos().compactMap { info in
            guard let recorded = try configRecord(info, "list"), var config = RecordJSON(parsing: recorded), case .object = config else { return nil }
            // As libxl does, the name is the domain's current one (xl rename changes it after the record).
            if let createInfo = config["c_info"], case .object = createInfo, let name = try domainName(info.id) {
                config = config.setting("c_info", to: createInfo.setting("name", to: .string(name)))
            }
            return DomainConfigListing(domid: info.id.rawValue, config: config)
        }
    }

    private func domainInfos() throws -> [DomainInfo] {
        do { return try hypervisor.domains() } catch { throw ToolstackError("list: cannot list domains: \(error.returned)") }
    }
}
