import ArgumentParser
import Toolstack
import XLConfig
import XenTypes

/// `xl create [-p] [-c] CONFIG [KEY=VALUE ...]`.
struct CreateCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a domain from an xl.cfg file, with device-tree passthrough (see Docs/xl-create.md).")
    @Flag(name: .customShort("p"), help: "Leave the domain paused.") var paused = false
    @Flag(name: .customShort("c"), help: "Attach to the console after creating (xenconsole; in simulation, print what the guest wrote).") var console = false
    @Argument(help: ArgumentHelp("The domain configuration file.", valueName: "CONFIG")) var file: String
    @Argument(help: ArgumentHelp("Settings that override the file, such as memory=512.", valueName: "KEY=VALUE")) var overrides: [String] = []

    func run(_ context: CommandContext) throws {
        var parsed = try ConfigFile.load(file)
        try parsed.applyOverrides(overrides)
        let config = try DomainConfig(file: parsed)
        for warning in config.keyWarnings { context.output.error(warning) }
        if context.globals.verbose > 0 {
            context.output.error("Parsing config from \(file)")
            for warning in parsed.warnings + config.warnings { context.output.error(warning) }
            for key in config.ignoredKeys { context.output.error("\(file): \(key): ignored for ARM PVH guests, as upstream's xl does") }
        }
        let toolstack = try context.toolstack()
        guard let domain = try toolstack.createDomain(config, paused: paused) else { return }
        if console { try attachConsole(domain, toolstack, context) }
    }

    /// Simulation: the simulated guest's console output so far. Real Xen: `xenconsole` replaces this process.
    private func attachConsole(_ domain: DomainID, _ toolstack: Toolstack, _ context: CommandContext) throws {
        if let host = context.simulatedHost {
            let guest = host.hypervisor.state.domains.first { $0.id == domain }?.guest
            context.output.raw(guest?.console ?? "")
            return
        }
        let version: XenVersion
        do { version = try toolstack.hypervisor.version() } catch {
            throw ToolstackError("create: domain \(domain) is running, but the Xen version is unreadable, so xenconsole cannot be found (\(error.errno))")
        }
        guard let path = ConsoleClient.locate(version: version, environment: context.environment) else {
            let tried = ConsoleClient.candidates(version: version, environment: context.environment).joined(separator: ", ")
            throw ToolstackError("create: domain \(domain) is running, but no xenconsole was found (tried \(tried); set XL_XENCONSOLE)")
        }
        let failure = ConsoleClient.exec(ConsoleClient.arguments(path, domain: domain))
        throw ToolstackError("create: domain \(domain) is running, but \(path) could not be run: \(failure)")
    }
}

/// `xl destroy [-f] DOMAIN`.
struct DestroyCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Destroy a domain at once: Xen takes back its memory and devices.")
    @Flag(name: .customShort("f"), help: "Also destroy a static_shm owner whose region other domains still map (as xl -f destroy).")
    var force = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN")) var domain: String

    func run(_ context: CommandContext) throws {
        try context.toolstack().destroyDomain(domain, force: force || context.globals.force)
    }
}

/// `xl list [-l] [DOMAIN ...]`.
struct ListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the domains.")
    @Flag(name: .customShort("l"), help: "Print each domain's configuration as JSON.") var long = false
    @Argument(help: ArgumentHelp("Only these domains (ids or names), in the order given.", valueName: "DOMAIN")) var domains: [String] = []

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
            context.output.line(try DomainTable.json(selected(toolstack.listDomainConfigs(), \.domid)))
        } else {
            for line in DomainTable.lines(selected(try toolstack.listDomains(), \.domid)) { context.output.line(line) }
        }
    }
}
