// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Glibc
import Toolstack

/// The `init-dom0less` entry point as a function of its arguments, environment and output.
public enum InitDom0lessMain {
    /// Runs `init-dom0less`; 0 when every domain is initialised or had nothing to do, 1 when any
    /// failed (or nothing could be opened), 2 on a usage error.
    public static func run(_ arguments: [String], environment: [String: String], output: Output,
                           dom0less: Dom0lessEnvironment = .live) -> Int32 {
        let command: InitDom0lessCommand
        do { command = try InitDom0lessCommand.parse(arguments) } catch {
            let text = InitDom0lessCommand.fullMessage(for: error)
            if InitDom0lessCommand.exitCode(for: error) == .success {
                output.raw(text.hasSuffix("\n") ? text : text + "\n")
                return 0
            }
            output.error("init-dom0less: " + (text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text))
            return 2
        }
        if command.version {
            output.line(ToolVersion.line("init-dom0less"))
            return 0
        }
        // The options are a subset of xl's global ones, which the context is made from.
        let globals: GlobalOptions
        do { globals = try GlobalOptions.parse(arguments) } catch {
            output.error("init-dom0less: \(GlobalOptions.message(for: error))")
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

/// `init-dom0less`'s command line, for parsing, `-h` and the man page (`--experimental-dump-help`).
struct InitDom0lessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-dom0less",
        abstract: "Make the domains Xen started at boot with xen,enhanced usable with PV drivers.",
        discussion: """
            For each such domain: a xenstore page (unless Xen 4.21 or later allocated it), a uuid, the xenstore \
            entries libxl would write, then the introduction to xenstored. Prints one line per domain; exits 1 if \
            any domain failed, naming the domain and the cause on stderr. Running it again does only what is \
            left to do, so it also cleans up after an interrupted run. See Docs/init-dom0less.md.
            """)

    @Flag(name: .customShort("v"), help: "Verbose (failures are always reported with their cause).")
    var verbose: Int

    @Flag(name: .customLong("version"), help: "Print the version and exit.")
    var version = false

    @OptionGroup var host: HostOptions
}
