// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// The options `xl` takes before the subcommand: `xl [-v] [-N] [-f] [--simulate DIR] <subcommand> ...`.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .customShort("v"), help: "Verbose: say what is done on stderr (repeat for more).")
    var verbose: Int

    @Flag(name: .customShort("N"), help: "Dry run: check everything and print what would be done, change nothing.")
    var dryRun = false

    @Flag(name: .customShort("f"), help: "Force: allow what xl would otherwise refuse.")
    var force = false

    @Flag(name: .customLong("version"), help: "Print the version and exit.")
    var version = false

    @OptionGroup var host: HostOptions

    @Option(name: .customLong("xen-flavour"), help: ArgumentHelp("The Xen of a new simulated host: upstream (default) or xilinx (the fork with run-time static_shm).", valueName: "NAME"), completion: .list(["upstream", "xilinx"]))
    var xenFlavour: String?

    /// Options that take a value in the next argument.
    static let valued: Set<String> = ["--simulate", "--host-dtb", "--xen-version", "--xen-flavour"]

    /// Splits `arguments` at the subcommand: everything before the first word that is not an option.
    static func split(_ arguments: [String]) -> (global: [String], command: [String]) {
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "-" {
            if valued.contains(arguments[index]) { index += 1 }
            index += 1
        }
        let cut = min(index, arguments.count)
        return (Array(arguments[..<cut]), Array(arguments[cut...]))
    }
}
