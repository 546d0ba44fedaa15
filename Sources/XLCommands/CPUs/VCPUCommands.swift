// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl vcpu-list [DOMAIN ...]`.
struct VCPUListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "vcpu-list", abstract: "List the VCPUs for all/some domains.")
    @Argument(help: ArgumentHelp("Only these domains (ids or names), in the order given.", valueName: "DOMAIN"), completion: .domains)
    var domains: [String] = []

    func run(_ context: CommandContext) throws {
        let (rows, bits) = try context.toolstack().vcpuList(domains)
        for line in VCPUTable.lines(rows, cpuBits: bits) { context.output.line(line) }
    }
}

/// `xl vcpu-pin [-f] DOMAIN VCPU|all HARD [SOFT]`.
struct VCPUPinCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "vcpu-pin", abstract: "Set which CPUs a VCPU can use.",
        discussion: """
            HARD and SOFT are cpu-lists: items such as 3, 2-5, ^4, nodes:0 or all, separated by commas and applied \
            from left to right ("0-5,^3" is 0, 1, 2, 4 and 5). "-" leaves an affinity as it is. A CPU the host does \
            not have is an error, and a hard affinity must hold a CPU of the domain's cpupool. With xl -N, the \
            affinities are printed (cpumap: HARD [SOFT]) and nothing changes.
            """)
    @Flag(name: [.customShort("f"), .customLong("force")], help: "Also undo a temporary pinning the guest asked for (one VCPU only).")
    var force = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The VCPU number, or all.", valueName: "VCPU")) var vcpu: String
    @Argument(help: ArgumentHelp("The CPUs the VCPU may run on, or - to leave them.", valueName: "HARD")) var hard: String
    @Argument(help: ArgumentHelp("The CPUs the VCPU prefers, or - to leave them.", valueName: "SOFT")) var soft: String?

    func run(_ context: CommandContext) throws {
        try context.toolstack().pinVCPU(domain, vcpu: vcpu, hard: hard, soft: soft, force: force)
    }
}

/// `xl vcpu-set [-i] DOMAIN COUNT`.
struct VCPUSetCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "vcpu-set", abstract: "Set the number of active VCPUs allowed for the domain.",
        discussion: "The guest brings VCPUs 0 to COUNT-1 online and takes the others offline (cpu/N/availability in xenstore).")
    @Flag(name: [.customShort("i"), .customLong("ignore-host")], help: "Allow more VCPUs than the host has CPUs.")
    var ignoreHost = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("How many VCPUs to run, at most the domain's maxvcpus.", valueName: "COUNT")) var count: String

    func run(_ context: CommandContext) throws {
        try context.toolstack().setVCPUCount(domain, count: count, checkHost: !ignoreHost)
    }
}

/// How `xl vcpu-list` prints vCPUs, in upstream's columns.
enum VCPUTable {
    static let header = TextColumns.left("Name", 32) + "    ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)"

    /// The header and one line per vCPU; affinities are printed over `cpuBits` CPUs.
    static func lines(_ rows: [VCPUListing], cpuBits: Int) -> [String] {
        [header] + rows.map { row in
            var line = TextColumns.left(row.name, 32) + " " + TextColumns.padded(String(row.domain.rawValue), 5) + " "
                + TextColumns.padded(String(row.vcpu), 5)
            if row.info.online {
                line += TextColumns.padded(String(row.info.cpu), 5) + "   " + (row.info.running ? "r" : "-") + (row.info.blocked ? "b" : "-") + "- "
            } else {
                line += "    -   --p "
            }
            line += TextColumns.padded(TextColumns.tenths(Double(row.info.cpuTimeNs) / 1e9), 9) + "  "
            return line + Toolstack.bitmapText(row.affinity.hard, bits: cpuBits) + " / " + Toolstack.bitmapText(row.affinity.soft, bits: cpuBits)
        }
    }
}
