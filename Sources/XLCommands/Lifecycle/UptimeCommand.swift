// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FoundationEssentials
import Glibc
import Toolstack

/// `xl uptime [-s] [DOMAIN...]`.
struct UptimeCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "uptime", abstract: "Print uptime for all/some domains.")
    @Flag(name: .customShort("s"), help: "Short form: the time of day, then each domain's uptime in hours and minutes.") var short = false
    @Argument(help: ArgumentHelp("Only these domains (ids or names), in the order given.", valueName: "DOMAIN"), completion: .domains) var domains: [String] = []

    func run(_ context: CommandContext) throws {
        let toolstack = try context.toolstack()
        let now = Date().timeIntervalSince1970
        let rows = try toolstack.uptimes(domains, now: now) { try Self.dom0Uptime(context, now: now) }
        if !short { context.output.line(TextColumns.left("Name", 33) + " " + "  ID Uptime") }
        let clock = Self.timeOfDay(now)
        for row in rows {
            let text = Self.uptimeText(row.seconds, short: short)
            if short {
                context.output.line(" \(clock) up \(text), \(row.name) (\(row.id.rawValue))")
            } else {
                context.output.line(TextColumns.left(row.name, 33) + " " + Self.padded(row.id.rawValue) + " " + text)
            }
        }
    }

    /// `%4d`.
    private static func padded(_ id: UInt16) -> String {
        let text = String(id)
        return String(repeating: " ", count: max(0, 4 - text.count)) + text
    }

    /// upstream's `uptime_to_string`: `D days, HH:MM:SS` (`%2d` hours), without the seconds in the short form.
    static func uptimeText(_ uptime: UInt64, short: Bool) -> String {
        let days = uptime / 86400, hours = uptime % 86400 / 3600, minutes = uptime % 3600 / 60, seconds = uptime % 60
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = (hours < 10 ? " " : "") + "\(hours):\(two(minutes))"
        if !short { text += ":\(two(seconds))" }
        switch days {
        case 0: return text
        case 1: return "1 day, " + text
        default: return "\(days) days, " + text
        }
    }

    /// `HH:MM:SS` in local time, as upstream's `current_time_to_string`.
    static func timeOfDay(_ now: Double) -> String {
        var seconds = time_t(now)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "??:??:??" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// Dom0's uptime: the simulated host's since it booted, or the first number of `/proc/uptime`.
    private static func dom0Uptime(_ context: CommandContext, now: Double) throws -> UInt64 {
        if let host = context.simulatedHost {
            let booted = host.hypervisor.state.bootTime ?? now
            return now > booted ? UInt64(now - booted) : 0
        }
        guard let data = FileManager.default.contents(atPath: "/proc/uptime"),
            let seconds = UInt64(String(decoding: data, as: UTF8.self).prefix { $0.isASCII && $0.isNumber })
        else { throw ToolstackError("uptime: cannot read dom0's uptime from /proc/uptime") }
        return seconds
    }
}

/// `xl sysrq DOMAIN KEY`.
struct SysrqCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "sysrq", abstract: "Send a sysrq to a domain.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("One sysrq letter, such as h (help), s (sync) or b (reboot).", valueName: "KEY")) var key: String

    func validate() throws {
        guard key.utf8.count == 1, let byte = key.utf8.first, byte > 0x20, byte < 0x7f else {
            throw ValidationError("KEY \"\(key)\": give one sysrq letter, such as h (help), s (sync) or b (reboot)")
        }
    }

    func run(_ context: CommandContext) throws {
        guard let letter = key.first else { return }
        try context.toolstack().sendSysrq(domain, key: letter)
    }
}
