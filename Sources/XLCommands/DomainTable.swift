import FoundationEssentials
import Toolstack

/// How `xl list` prints domains: xl's table, or JSON for `-l`.
enum DomainTable {
    static let header = "Name                                        ID   Mem VCPUs\tState\tTime(s)"

    static func lines(_ domains: [DomainListing]) -> [String] {
        [header] + domains.map { domain in
            let time = String(Int((domain.cpuTime * 10).rounded()) / 10) + "." + String(Int((domain.cpuTime * 10).rounded()) % 10)
            return pad(domain.name, 40) + left(String(domain.domid), 6) + left(String(domain.memoryKiB / 1024), 6)
                + left(String(domain.vcpus), 6) + "     " + domain.state + " " + left(time, 8)
        }
    }

    static func json(_ domains: [DomainListing]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(domains), as: UTF8.self)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    private static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
