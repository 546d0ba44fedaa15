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
}

/// One entry of `xl list -l`: a domain and its configuration.
public struct DomainConfigListing: Hashable, Sendable, Codable {
    public var domid: UInt16
    /// The libxl JSON recorded at creation (by `xl create` or `init-dom0less`), or a stub of what Xen and
    /// xenstore know.
    public var config: JSONValue
}

extension Toolstack {
    /// `xl list`: every domain, in domid order.
    public func listDomains() throws -> [DomainListing] {
        let domains = try domainInfos()
        return try domains.map { info in
            DomainListing(domid: info.id.rawValue, name: try domainName(info.id) ?? "(null)", memoryKiB: info.memoryKiB,
                          vcpus: info.vcpus, state: info.listColumn, cpuTime: Double(info.cpuTimeNs) / 1e9)
        }
    }

    /// `xl list -l`: every domain with its recorded configuration. Upstream skips a domain without one; here it
    /// gets a stub (`c_info` name and uuid, `b_info` vCPUs and memory) so every domain of `xl list` appears.
    public func listDomainConfigs() throws -> [DomainConfigListing] {
        try domainInfos().map { info in
            let recorded: String?
            do throws(XenStoreError) { recorded = try LibxlConfigRecord.read(under: "/libxl/\(info.id)", from: xenstore) } catch {
                throw ToolstackError("list: cannot read /libxl/\(info.id)/\(LibxlConfigRecord.name): \(error.errno)")
            }
            if let recorded, let config = JSONValue(parsing: recorded), case .object(var fields) = config {
                // As libxl does, the name is the domain's current one (xl rename changes it after the record).
                if case .object(var createInfo)? = fields["c_info"], let name = try domainName(info.id) {
                    createInfo["name"] = .string(name)
                    fields["c_info"] = .object(createInfo)
                }
                return DomainConfigListing(domid: info.id.rawValue, config: .object(fields))
            }
            return DomainConfigListing(domid: info.id.rawValue, config: try stub(info))
        }
    }

    private func domainInfos() throws -> [DomainInfo] {
        do { return try hypervisor.domains() } catch { throw ToolstackError("list: cannot list domains: \(error.returned)") }
    }

    /// What is known of a domain no toolstack recorded: its name and uuid from xenstore, its vCPUs and memory from Xen.
    private func stub(_ info: DomainInfo) throws -> JSONValue {
        var createInfo: [String: JSONValue] = [:]
        if let name = try domainName(info.id) { createInfo["name"] = .string(name) }
        let vm: String?
        do { vm = try xenstore.readString("/local/domain/\(info.id)/vm").flatMap(Self.vmPath) } catch {
            throw ToolstackError("list: cannot read /local/domain/\(info.id)/vm: \(error.errno)")
        }
        if let vm { createInfo["uuid"] = .string(String(vm.dropFirst("/vm/".count))) }
        let memory = JSONValue.unsigned(info.memoryKiB)
        return .object([
            "c_info": .object(createInfo),
            "b_info": .object(["max_vcpus": .integer(Int64(info.vcpus)), "max_memkb": memory, "target_memkb": memory]),
        ])
    }
}
