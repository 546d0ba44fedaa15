import FoundationEssentials
import Toolstack

/// How `xl dt-overlay list` shows the registry.
enum OverlayListing {
    static func table(_ records: [OverlayRecord]) -> [String] {
        guard !records.isEmpty else { return [] }
        var lines = ["Overlay                                  Size  Domain  Nodes"]
        for record in records {
            let domain = record.domain.map { String($0.rawValue) } ?? "-"
            lines.append(pad(record.file, 36) + leftPad(String(record.size), 10) + leftPad(domain, 8) + "  " + record.nodes.joined(separator: " "))
        }
        return lines
    }

    static func json(_ records: [OverlayRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(records), as: UTF8.self)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    private static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
