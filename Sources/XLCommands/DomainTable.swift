import Toolstack

/// How `xl list` prints domains: xl's table, or each domain's configuration as JSON for `-l`.
enum DomainTable {
    static let header = "Name                                        ID   Mem VCPUs\tState\tTime(s)"

    static func lines(_ domains: [DomainListing]) -> [String] {
        [header] + domains.map { domain in
            let tenths = Int((domain.cpuTime * 10).rounded())
            let time = String(tenths / 10) + "." + String(tenths % 10)
            return TextColumns.left(domain.name, 40) + TextColumns.right(String(domain.domid), 6)
                + TextColumns.right(String(domain.memoryKiB / 1024), 6) + TextColumns.right(String(domain.vcpus), 6)
                + "     " + domain.state + " " + TextColumns.right(time, 9)
        }
    }

    /// `xl list -l`: an array of `{"domid": N, "config": {...}}`.
    static func json(_ domains: [DomainConfigListing]) throws -> String { try TextColumns.json(domains) }
}
