// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack
import XLConfig
import XenTypes

/// `xl create [-q] [-p] [-c] [-e|-F] [-d] [-n] [-f FILE] [CONFIG] [KEY=VALUE ...]`.
struct CreateCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a domain from an xl.cfg file, with device-tree passthrough (see Docs/xl-create.md).")
    @Flag(name: .customShort("p"), help: "Leave the domain paused.") var paused = false
    @Flag(name: .customShort("c"), help: "Attach to the console after creating (xenconsole; in simulation, print what the guest wrote).") var console = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No console output: not even \"Parsing config from\" with -v.") var quiet = false
    @Flag(name: .customShort("e"), help: "Exit at once: leave no monitor, so on_poweroff/on_reboot/on_watchdog/on_crash are not carried out.") var exitAtOnce = false
    @Flag(name: .customShort("F"), help: "Stay in the foreground as the domain's monitor, until the domain is gone.") var foreground = false
    @Flag(name: .customShort("d"), help: "Debug: print the parsed configuration (libxl JSON) on stdout before creating.") var debug = false
    @Flag(name: [.customShort("n"), .customLong("dryrun")], help: "Dry run: as xl -N create.") var dryRun = false
    @Flag(name: [.customShort("V"), .customLong("vncviewer")], help: "Attach a VNC viewer (refused: ARM guests have no VNC server).") var vncViewer = false
    @Flag(name: [.customShort("A"), .customLong("vncviewer-autopass")], help: "Attach a VNC viewer, passing the password (refused as -V).") var vncAutopass = false
    @Option(name: [.customShort("f"), .customLong("defconfig")], help: ArgumentHelp("The domain configuration file.", valueName: "FILE"), completion: .file()) var defconfig: String?
    @Argument(help: ArgumentHelp("The configuration file (unless -f gives it), then settings that override it, such as memory=512.", valueName: "CONFIG|KEY=VALUE"), completion: .file())
    var arguments: [String] = []

    func validate() throws {
        if exitAtOnce && foreground { throw ValidationError("-e and -F contradict each other: -e leaves no monitor, -F stays as the monitor") }
        if configFile == nil { throw ValidationError("no configuration file: give it as xl create FILE or xl create -f FILE") }
        if defconfig != nil, arguments.contains(where: { !$0.contains("=") }) {
            throw ValidationError("-f \(defconfig ?? "") already gives the configuration file; \"\(arguments.first { !$0.contains("=") } ?? "")\" is not KEY=VALUE")
        }
        if arguments.filter({ !$0.contains("=") }).count > 1 {
            throw ValidationError("one configuration file only; settings that override it are KEY=VALUE")
        }
    }

    /// upstream's rule: `-f FILE`, else the first argument without `=`.
    private var configFile: String? { defconfig ?? arguments.first { !$0.contains("=") } }
    private var overrides: [String] { arguments.filter { $0.contains("=") } }

    func run(_ context: CommandContext) throws {
        let file = configFile ?? ""
        if vncViewer || vncAutopass {
            throw ToolstackError("create: -\(vncAutopass ? "A" : "V"): ARM guests have no VNC server (no vfb or device model on ARM), so there is nothing for vncviewer to attach to; use -c for the console")
        }
        var parsed = try ConfigFile.load(file)
        try parsed.applyOverrides(overrides)
        let config = try DomainConfig(file: parsed)
        for warning in config.keyWarnings { context.output.error(warning) }
        if context.globals.verbose > 0 && !quiet {
            context.output.error("Parsing config from \(file)")
            for warning in parsed.warnings + config.warnings { context.output.error(warning) }
            for key in config.ignoredKeys { context.output.error("\(file): \(key): ignored for ARM PVH guests, as upstream's xl does") }
        }
        let dry = dryRun || context.globals.dryRun
        if debug && !dry { context.output.line(config.libxlJSON()) }
        let monitored = !dry && !exitAtOnce
        var log: String?
        if monitored && !foreground {
            guard context.executable != nil else {
                throw ToolstackError("create \(config.name): this xl runs inside another program and cannot leave a monitor behind; use -e (no monitor) or -F (stay as the monitor)")
            }
            log = try MonitorLauncher.prepareLog(config.name, simulation: context.simulationDirectory, "create \(config.name)")
        }
        let toolstack = try context.toolstack()
        let created: DomainID?
        if dryRun && !context.globals.dryRun {
            created = try Toolstack(hypervisor: toolstack.hypervisor, xenstore: toolstack.xenstore, bootTree: toolstack.bootTree, dryRun: true,
                                    output: toolstack.output, log: toolstack.log).createDomain(config, paused: paused)
        } else {
            created = try toolstack.createDomain(config, paused: paused)
        }
        guard let domain = created else { return }
        guard monitored else {
            if console { try attachConsole(domain, toolstack, context) }
            return
        }
        let simulation = context.simulationDirectory
        if foreground {
            let lock = try DomainMonitor.takeLock(domain, simulation: simulation, "create \(config.name)")
            // The monitor runs in this process next: show what the guest wrote so far, without staying attached.
            if console, context.simulatedHost != nil { try attachConsole(domain, toolstack, context, follow: false) }
            try context.finish()
            var monitor = DomainMonitor(
                sessions: HostSessions(globals: context.globals, environment: context.environment, output: context.output),
                domain: domain, config: config, lock: lock)
            if monitor.run() != 0 { throw MonitorFailed() }
            return
        }
        try context.finish()
        if let log, let executable = context.executable {
            let pid = try MonitorLauncher.launch(domain, log: log, executable: executable, context: context, "create \(config.name)")
            toolstack.log("create \(config.name): monitor pid \(pid) logs to \(log)")
        }
        if console { try attachConsole(domain, toolstack, context) }
    }

    /// `-c`: the primary console, attached as `xl console` attaches (``ConsoleAttach``).
    private func attachConsole(_ domain: DomainID, _ toolstack: Toolstack, _ context: CommandContext, follow: Bool = true) throws {
        let prefix = "create -c (domain \(domain) was created)"
        let console = try toolstack.findConsole(String(domain.rawValue), type: .pv, number: 0, prefix)
        try ConsoleAttach.attach(console, escape: nil, follow: follow, toolstack, context, prefix)
    }
}

/// `xl destroy [-f] DOMAIN`.
struct DestroyCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Destroy a domain at once: Xen takes back its memory and devices.")
    @Flag(name: .customShort("f"), help: "Also destroy a static_shm owner whose region other domains still map (as xl -f destroy).")
    var force = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

    func run(_ context: CommandContext) throws {
        try context.toolstack().destroyDomain(domain, force: force || context.globals.force)
    }
}

/// `xl list [-l] [-v] [-Z] [-c] [-n] [DOMAIN ...]`.
struct ListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List information about all/some domains.")
    @Flag(name: [.customShort("l"), .customLong("long")], help: "Print each domain's configuration as JSON (domains without a config record are left out).") var long = false
    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also print each domain's UUID, shutdown reason code and security label.") var verbose = false
    @Flag(name: [.customShort("Z"), .customLong("context")], help: "Also print each domain's security label.") var context = false
    @Flag(name: [.customShort("c"), .customLong("cpupool")], help: "Also print the CPU pool each domain is in.") var cpupool = false
    @Flag(name: [.customShort("n"), .customLong("numa")], help: "Also print each domain's NUMA node affinity.") var numa = false
    @Argument(help: ArgumentHelp("Only these domains (ids or names), in the order given.", valueName: "DOMAIN"), completion: .domains) var domains: [String] = []

    func run(_ context: CommandContext) throws {
        let toolstack = try context.toolstack()
        let only = try domains.map { argument in
            do { return try toolstack.findDomain(argument).id.rawValue } catch let error as ToolstackError {
                throw ToolstackError("list \(argument): \(error.message)")
            }
        }
        func selected<T>(_ all: [T], _ id: (T) -> UInt16) -> [T] {
            only.isEmpty ? all : only.compactMap { wanted in all.first { id($0) == wanted } }
        }
        if long {
            context.output.line(DomainTable.json(selected(try toolstack.listDomainConfigs(), \.domid)))
        } else {
            let columns = DomainTable.Columns(verbose: verbose, context: self.context, cpupool: cpupool, numa: numa)
            for line in DomainTable.lines(selected(try toolstack.listDomains(), \.domid), columns) { context.output.line(line) }
        }
    }
}
