import ArgumentParser
import Toolstack
import XLConfig

/// `xl create [-p] [-c] CONFIG [KEY=VALUE ...]`.
struct CreateCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a domain from an xl.cfg file, with device-tree passthrough (see Docs/xl-create.md).")
    @Flag(name: .customShort("p"), help: "Leave the domain paused.") var paused = false
    @Flag(name: .customShort("c"), help: "Attach to the console (not available: prints the console's xenstore path).") var console = false
    @Argument(help: ArgumentHelp("The domain configuration file.", valueName: "CONFIG")) var file: String
    @Argument(help: ArgumentHelp("Settings that override the file, such as memory=512.", valueName: "KEY=VALUE")) var overrides: [String] = []

    func run(_ context: CommandContext) throws {
        var parsed = try ConfigFile.load(file)
        try parsed.applyOverrides(overrides)
        let config = try DomainConfig(file: parsed)
        if context.globals.verbose > 0 {
            context.output.error("Parsing config from \(file)")
            for warning in parsed.warnings + config.warnings { context.output.error(warning) }
            for key in config.unknownKeys { context.output.error("\(file): \(key): not used by this xl") }
        }
        let toolstack = try context.toolstack()
        guard let domain = try toolstack.createDomain(config, paused: paused) else { return }
        if console { context.output.line("console of domain \(domain): /local/domain/\(domain)/console") }
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

/// `xl list [-l]`.
struct ListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the domains.")
    @Flag(name: .customShort("l"), help: "Print JSON.") var long = false

    func run(_ context: CommandContext) throws {
        let domains = try context.toolstack().listDomains()
        if long {
            context.output.line(try DomainTable.json(domains))
        } else {
            for line in DomainTable.lines(domains) { context.output.line(line) }
        }
    }
}
