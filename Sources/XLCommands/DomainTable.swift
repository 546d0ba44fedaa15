// SPDX-License-Identifier: Apache-2.0
import Toolstack

/// How `xl list` prints domains: xl's table, with the columns `-v`, `-Z`, `-c` and `-n` add, or each domain's
/// configuration as JSON for `-l`.
enum DomainTable {
    static let header = "Name                                        ID   Mem VCPUs\tState\tTime(s)"

    /// The extra columns of upstream's `list_domains`, in its order.
    struct Columns {
        /// `-v`: the UUID, the shutdown reason code and the security label.
        var verbose = false
        /// `-Z`: the security label.
        var context = false
        /// `-c`: the CPU pool.
        var cpupool = false
        /// `-n`: the NUMA node affinity.
        var numa = false
    }

    static func lines(_ domains: [DomainListing], _ columns: Columns = Columns()) -> [String] {
        var head = header
        if columns.verbose { head += "   UUID                            Reason-Code\tSecurity Label" }
        if columns.context && !columns.verbose { head += "   Security Label" }
        if columns.cpupool { head += "         Cpupool" }
        if columns.numa { head += " NODE Affinity" }
        return [head] + domains.map { domain in
            let time = TextColumns.tenths(domain.cpuTime)
            var row = TextColumns.left(domain.name, 40) + TextColumns.right(String(domain.domid), 6)
                + TextColumns.right(String(domain.memoryKiB / 1024), 6) + TextColumns.right(String(domain.vcpus), 6)
                + "     " + domain.state + " " + TextColumns.right(time, 9)
            if columns.verbose {
                row += " " + domain.uuid + " " + TextColumns.padded(domain.shutdownReason.map { String($0, radix: 16) } ?? "-", 8)
            }
            // Xen without XSM (FLASK) gives domains no security label: upstream prints "-".
            if columns.verbose || columns.context { row += " " + TextColumns.padded("-", 16) }
            if columns.cpupool { row += TextColumns.padded(domain.cpupool, 16) }
            // Xen on ARM has one NUMA node, which every domain's affinity covers: print_bitmap's "all".
            if columns.numa { row += " all" }
            return row
        }
    }

    /// `xl list -l`: an array of `{"domid": N, "config": {...}}` as upstream's yajl writes it (with its final newline).
    static func json(_ domains: [DomainConfigListing]) -> String {
        RecordJSON.array(domains.map { .object([.init("domid", .literal(String($0.domid))), .init("config", $0.config)]) }).rendered() + "\n"
    }
}
