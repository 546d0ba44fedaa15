// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// Resolves a domain argument (a domid or a name) to a running domain, as `xl`'s `find_domain` does.
    public func findDomain(_ argument: String) throws -> DomainInfo {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("cannot list domains: \(error.errno)") }
        if let number = UInt16(argument) {
            guard let info = domains.first(where: { $0.id.rawValue == number }) else {
                throw ToolstackError("domain \(argument) does not exist")
            }
            return info
        }
        for info in domains where try domainName(info.id) == argument { return info }
        throw ToolstackError("\(argument) is not the name or id of any domain")
    }

    /// The name xenstore records for a domain (`/local/domain/N/name`); `nil` when none is recorded.
    public func domainName(_ id: DomainID) throws -> String? {
        do { return try xenstore.readString("/local/domain/\(id)/name") } catch {
            throw ToolstackError("cannot read the name of domain \(id) from xenstore: \(error.errno)")
        }
    }
}
