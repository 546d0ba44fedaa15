// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Glibc
import Toolstack
import XenControl

/// `xl info [-n] [NAME]`.
struct InfoCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Get information about Xen host.")
    @Flag(name: [.customShort("n"), .customLong("numa")], help: "Also list the host's CPU topology and NUMA nodes.") var numa = false
    @Argument(help: ArgumentHelp("Print only the values of the fields whose names start with NAME (without -n).", valueName: "NAME"))
    var name: String?

    func validate() throws {
        if numa, let name { throw ValidationError("-n prints every field; \"\(name)\" cannot select one with it") }
    }

    func run(_ context: CommandContext) throws {
        let report = try context.toolstack().hostReport()
        let node = Self.node(simulated: context.simulationDirectory != nil)
        for line in Self.lines(report, node: node, numa: numa) {
            if let text = Self.selected(line, name) { context.output.raw(text) }
        }
    }

    /// upstream's `maybe_printf`: every line, or with a name only the value of each line that starts with it.
    static func selected(_ line: String, _ name: String?) -> String? {
        guard let name else { return line }
        guard line.hasPrefix(name), let colon = line.firstIndex(of: ":") else { return nil }
        let rest = line[line.index(after: colon)...]
        guard rest.first == " " else { return nil }
        return String(rest.dropFirst())
    }

    /// What `uname` says of dom0: `host`, `release`, `version`, `machine` (a simulated host's dom0 is aarch64).
    static func node(simulated: Bool) -> [String] {
        var names = utsname()
        guard uname(&names) == 0 else { return [] }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return [field(names.nodename), field(names.release), field(names.version), simulated ? "aarch64" : field(names.machine)]
    }

    /// upstream's `print_info` for an ARM host, each line with its newline.
    static func lines(_ report: HostReport, node: [String], numa: Bool) -> [String] {
        var lines: [String] = []
        func add(_ key: String, _ value: String) { lines.append(TextColumns.left(key, 23) + ": " + value + "\n") }
        for (key, value) in zip(["host", "release", "version", "machine"], node) { add(key, value) }
        let p = report.physical
        add("nr_cpus", String(p.nrCPUs))
        add("max_cpu_id", String(p.maxCPUID))
        add("nr_nodes", String(p.nrNodes))
        add("cores_per_socket", String(p.coresPerSocket))
        add("threads_per_core", String(p.threadsPerCore))
        let thousandths = String(p.cpuKHz % 1000)
        add("cpu_mhz", "\(p.cpuKHz / 1000)." + String(repeating: "0", count: 3 - thousandths.count) + thousandths)
        add("hw_caps", (p.hwCap + Array(repeating: 0, count: 8)).prefix(8).map { hex($0, 8) }.joined(separator: ":"))
        let hvm = p.has(.hvm), pv = p.has(.pv), directio = p.has(.directio)
        let caps: [(Bool, String)] = [
            (pv, " pv"), (hvm, " hvm"), (hvm && directio, " hvm_directio"), (pv && directio, " pv_directio"), (p.has(.hap), " hap"),
            (p.has(.shadow), " shadow"), (p.has(.iommuHAPPTShare), " iommu_hap_pt_share"), (p.has(.vmtrace), " vmtrace"),
            (p.has(.vpmu), " vpmu"), (p.has(.gnttabV1), " gnttab-v1"), (p.has(.gnttabV2), " gnttab-v2"),
        ]
        lines.append(TextColumns.left("virt_caps", 23) + ":" + caps.filter(\.0).map(\.1).joined() + "\n")
        add("arm_sve_vector_length", String((p.archCapabilities & 0x1F) * 128))
        let pagesPerMiB = UInt64((1 << 20) / max(report.version.pageSize, 1))
        add("total_memory", String(p.totalPages / pagesPerMiB))
        add("free_memory", String((p.freePages &- p.outstandingPages) / pagesPerMiB))
        // Memory sharing is x86-only: libxl reads ENOSYS as 0.
        add("sharing_freed_memory", "0")
        add("sharing_used_memory", "0")
        add("outstanding_claims", String(p.outstandingPages / pagesPerMiB))
        add("free_cpus", String(report.freeCPUs))
        if numa {
            lines.append("cpu_topology           :\n")
            lines.append("cpu:    core    socket     node\n")
            // ARM's cpu_to_core and cpu_to_socket are 0, and without NUMA every CPU is on node 0.
            for cpu in 0..<Int(p.nrCPUs) { lines.append(padded(cpu, 3) + ":    " + padded(0, 4) + "     " + padded(0, 4) + "     " + padded(0, 4) + "\n") }
            lines.append("device topology        :\n")
            lines.append("device           node\n")
            lines.append("No device topology data available\n")
            lines.append("numa_info              :\n")
            lines.append("node:    memsize    memfree    distances\n")
            let bytes = UInt64(report.version.pageSize)
            lines.append(padded(0, 4) + ":    " + padded(Int((p.totalPages * bytes) >> 20), 6) + "     " + padded(Int((p.freePages * bytes) >> 20), 6) + "      10\n")
        }
        let v = report.version
        add("xen_major", String(v.major))
        add("xen_minor", String(v.minor))
        add("xen_extra", v.extra)
        add("xen_version", "\(v.major).\(v.minor)\(v.extra)")
        add("xen_caps", v.capabilities)
        add("xen_scheduler", report.scheduler)
        add("xen_pagesize", String(v.pageSize))
        add("platform_params", "virt_start=0x" + String(v.virtStart, radix: 16))
        add("xen_changeset", v.changeset)
        add("xen_commandline", v.commandline)
        add("cc_compiler", v.compiler)
        add("cc_compile_by", v.compileBy)
        add("cc_compile_domain", v.compileDomain)
        add("cc_compile_date", v.compileDate)
        add("build_id", v.buildID ?? "(null)")
        add("xend_config_format", "4")
        return lines
    }

    private static func hex(_ value: UInt32, _ width: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// `xl dmesg [-c]`.
struct DmesgCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "dmesg", abstract: "Read and/or clear dmesg buffer.")
    @Flag(name: [.customShort("c"), .customLong("clear")], help: "Clear Xen's console ring as well as printing it.") var clear = false

    func run(_ context: CommandContext) throws {
        let text = try context.toolstack().readXenConsole(clear: clear)
        context.output.raw(String(decoding: text, as: UTF8.self))
    }
}
