import XenControl
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

extension Toolstack {
    /// `xl list`: every domain, in domid order.
    public func listDomains() throws -> [DomainListing] {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("list: cannot list domains: \(error.operation) returned \(error.errno)") }
        return try domains.map { info in
            DomainListing(domid: info.id.rawValue, name: try domainName(info.id) ?? "(null)", memoryKiB: info.memoryKiB,
                          vcpus: info.vcpus, state: info.state.listColumn, cpuTime: Double(info.cpuTimeNs) / 1e9)
        }
    }
}
