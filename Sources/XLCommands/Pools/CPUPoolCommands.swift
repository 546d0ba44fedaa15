// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

extension CompletionKind {
    /// The names of the CPU pools, from `xl cpupool-list`.
    static let pools = CompletionKind.shellCommand("xl cpupool-list 2>/dev/null | awk 'NR > 1 { print $1 }'")
}

/// `xl cpupool-list [-c] [POOL]`.
struct CPUPoolListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "cpupool-list", abstract: "List CPU pools on host.")
    @Flag(name: [.customShort("c"), .customLong("cpus")], help: "Print each pool's CPUs instead of its counts.") var cpus = false
    @Argument(help: ArgumentHelp("Only this pool (name or id).", valueName: "POOL"), completion: .pools) var pool: String?

    func run(_ context: CommandContext) throws {
        let pools = try context.toolstack().cpupoolList(pool)
        context.output.line(TextColumns.left("Name", 19) + (cpus ? "CPU list" : "CPUs   Sched     Active   Domain count"))
        for pool in pools {
            let name = TextColumns.left(pool.name, 19)
            if cpus {
                context.output.line(name + pool.cpus.cpus.map(String.init).joined(separator: ","))
            } else {
                context.output.line(name + TextColumns.padded(String(pool.cpus.count), 3) + " " + TextColumns.padded(pool.scheduler.name, 9)
                                    + "       y       " + TextColumns.padded(String(pool.domainCount), 4))
            }
        }
    }
}

/// `xl cpupool-create [-f FILE] [-n] [FILE] [KEY=VALUE ...]`.
struct CPUPoolCreateCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cpupool-create", abstract: "Create a new CPU pool.",
        discussion: """
            The config (a file, KEY=VALUE arguments, or both) has name (default: the file's name), sched (credit, \
            credit2, arinc653, rtds or null; default: the host's), and cpus (a cpu-list string or a list of CPU \
            numbers) or nodes (a list of NUMA nodes, whose free CPUs the pool takes). Every CPU must be free.
            """)
    @Option(name: [.customShort("f"), .customLong("defconfig")], help: ArgumentHelp("The config file.", valueName: "FILE"), completion: .file())
    var defconfig: String?
    @Flag(name: [.customShort("n"), .customLong("dryrun")], help: "Check the config and print it; create nothing (as xl -N).") var dryrun = false
    @Argument(help: ArgumentHelp("The config file, then settings such as name=rt cpus=2-3.", valueName: "FILE|KEY=VALUE"), completion: .file())
    var arguments: [String] = []

    func validate() throws {
        let files = arguments.filter { !$0.contains("=") }
        if files.count + (defconfig == nil ? 0 : 1) > 1 { throw ValidationError("give one config file, not \(files.count + (defconfig == nil ? 0 : 1))") }
    }

    func run(_ context: CommandContext) throws {
        let file = defconfig ?? arguments.first { !$0.contains("=") }
        let overrides = arguments.filter { $0.contains("=") }
        let created = try context.toolstack().createCPUPool(file: file, overrides: overrides, dryRun: dryrun)
        context.output.line("Using config file \"\(created.config.source)\"")
        context.output.line("cpupool name:   \(created.config.name)")
        context.output.line("scheduler:      \(created.scheduler.name)")
        context.output.line("number of cpus: \(created.config.cpus.count)")
    }
}

/// `xl cpupool-destroy POOL`.
struct CPUPoolDestroyCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cpupool-destroy", abstract: "Deactivates a CPU pool.",
        discussion: "The pool must have no domain; its CPUs become free.")
    @Argument(help: ArgumentHelp("The pool's name or id.", valueName: "POOL"), completion: .pools) var pool: String

    func run(_ context: CommandContext) throws { try context.toolstack().destroyCPUPool(pool) }
}

/// `xl cpupool-rename POOL NEWNAME`.
struct CPUPoolRenameCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "cpupool-rename", abstract: "Renames a CPU pool.")
    @Argument(help: ArgumentHelp("The pool's name or id.", valueName: "POOL"), completion: .pools) var pool: String
    @Argument(help: ArgumentHelp("The new name; no other pool may have it.", valueName: "NEWNAME")) var newName: String

    func run(_ context: CommandContext) throws { try context.toolstack().renameCPUPool(pool, to: newName) }
}

/// `xl cpupool-cpu-add POOL CPU-LIST`.
struct CPUPoolCPUAddCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cpupool-cpu-add", abstract: "Adds a CPU to a CPU pool.",
        discussion: "Every CPU of the list must be free (in no pool); all are added or none.")
    @Argument(help: ArgumentHelp("The pool's name or id.", valueName: "POOL"), completion: .pools) var pool: String
    @Argument(help: ArgumentHelp("The CPUs, as a cpu-list such as 2-3 or nodes:0.", valueName: "CPU-LIST")) var cpus: String

    func run(_ context: CommandContext) throws { try context.toolstack().addCPUs(pool, cpus) }
}

/// `xl cpupool-cpu-remove POOL CPU-LIST`.
struct CPUPoolCPURemoveCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cpupool-cpu-remove", abstract: "Removes a CPU from a CPU pool.",
        discussion: "Every CPU of the list must be in the pool; CPU 0 stays in Pool-0, and a pool with domains keeps one CPU. All are removed or none.")
    @Argument(help: ArgumentHelp("The pool's name or id.", valueName: "POOL"), completion: .pools) var pool: String
    @Argument(help: ArgumentHelp("The CPUs, as a cpu-list such as 2-3.", valueName: "CPU-LIST")) var cpus: String

    func run(_ context: CommandContext) throws { try context.toolstack().removeCPUs(pool, cpus) }
}

/// `xl cpupool-migrate DOMAIN POOL`.
struct CPUPoolMigrateCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cpupool-migrate", abstract: "Moves a domain into a CPU pool.",
        discussion: "The domain's VCPU affinities become every CPU again, as Xen resets them.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The pool's name or id.", valueName: "POOL"), completion: .pools) var pool: String

    func run(_ context: CommandContext) throws { try context.toolstack().migrateToPool(domain, pool) }
}
