// SPDX-License-Identifier: Apache-2.0
import Glibc
import Toolstack

/// The `init-dom0less` entry point as a function of its arguments, environment and output.
public enum InitDom0lessMain {
    static let usageText = """
        Usage: init-dom0less [-v] [--version] [--simulate DIR] [--host-dtb FILE] [--xen-version X.Y]

        Makes the domains Xen started at boot with xen,enhanced usable with PV drivers: xenstore page,
        uuid, xenstore entries, then introduction to xenstored. Prints one line per domain; exits 1 if
        any domain failed. -v prints failures with their cause on stderr (always on). See Docs/init-dom0less.md.
        """

    /// Runs `init-dom0less`; 0 when every domain is initialised or had nothing to do, 1 when any
    /// failed (or nothing could be opened), 2 on a usage error.
    public static func run(_ arguments: [String], environment: [String: String], output: Output,
                           dom0less: Dom0lessEnvironment = .live) -> Int32 {
        if arguments.contains("-h") || arguments.contains("--help") {
            output.raw(usageText + "\n")
            return 0
        }
        let (globalArguments, rest) = GlobalOptions.split(arguments)
        let globals: GlobalOptions
        do { globals = try GlobalOptions.parse(globalArguments) } catch {
            output.error("init-dom0less: \(GlobalOptions.message(for: error))")
            return 2
        }
        if globals.version {
            output.line(ToolVersion.line("init-dom0less"))
            return 0
        }
        guard rest.isEmpty, !globals.dryRun, !globals.force else {
            output.error("init-dom0less: unexpected argument \(rest.first ?? (globals.dryRun ? "-N" : "-f"))\n" + usageText)
            return 2
        }
        let errors = Output(stdout: { output.error(String($0.dropLast())) }, stderr: { output.error(String($0.dropLast())) })
        let context = CommandContext(globals: globals, environment: environment, output: output)
        do {
            let toolstack = try context.toolstack()
            let control = try context.dom0lessControl()
            let reporting = Toolstack(hypervisor: toolstack.hypervisor, xenstore: toolstack.xenstore, bootTree: toolstack.bootTree,
                                      output: { output.line($0) }, log: { errors.line("init-dom0less: " + $0) })
            reporting.userdata = toolstack.userdata
            let results = try reporting.initDom0less(control: control, environment: dom0less)
            try context.finish()
            return results.contains { $0.outcome == .failed } ? 1 : 0
        } catch {
            try? context.finish()
            output.error("init-dom0less: \(error)")
            return 1
        }
    }
}

extension Dom0lessEnvironment {
    /// The wall clock and the system's random bytes.
    public static let live = Dom0lessEnvironment(
        clock: {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return (Int64(now.tv_sec), Int(now.tv_nsec / 10_000_000))
        },
        newHandle: { (0..<16).map { _ in UInt8.random(in: 0...255) } })
}
