// SPDX-License-Identifier: Apache-2.0
import Toolstack

/// How `xl dt-overlay list` shows the registry; a record whose operation did not finish (an `xl`
/// stopped between its hypercall and its record) says which: `(add unfinished)`.
enum OverlayListing {
    static func table(_ records: [OverlayRecord]) -> [String] {
        guard !records.isEmpty else { return [] }
        var lines = ["Overlay                                  Size  Domain  Nodes"]
        for record in records {
            let domain = record.domain.map { String($0.rawValue) } ?? "-"
            lines.append(
                TextColumns.left(record.file, 36) + TextColumns.right(String(record.size), 10)
                    + TextColumns.right(domain, 8) + "  " + record.nodes.joined(separator: " ")
                    + (record.pending.map { "  (\($0.rawValue) unfinished)" } ?? ""))
        }
        return lines
    }

    static func json(_ records: [OverlayRecord]) throws -> String { try TextColumns.json(records) }
}
