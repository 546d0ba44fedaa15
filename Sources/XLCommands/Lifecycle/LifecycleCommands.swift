// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl pause DOMAIN`.
struct PauseCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a domain: Xen stops running its vCPUs.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

    func run(_ context: CommandContext) throws { try context.toolstack().pauseDomain(domain) }
}

/// `xl unpause DOMAIN`.
struct UnpauseCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause a paused domain.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

    func run(_ context: CommandContext) throws { try context.toolstack().unpauseDomain(domain) }
}

/// `xl rename DOMAIN NEW_NAME`.
struct RenameCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a domain.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The new name; no other domain may have it.", valueName: "NEW_NAME")) var newName: String

    func run(_ context: CommandContext) throws { try context.toolstack().renameDomain(domain, to: newName) }
}

/// `xl domid NAME`.
struct DomidCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "domid", abstract: "Print the id of the domain with this name.")
    @Argument(help: ArgumentHelp("The domain name.", valueName: "NAME"), completion: .domains) var name: String

    func run(_ context: CommandContext) throws { context.output.line(String(try context.toolstack().domainID(named: name).rawValue)) }
}

/// `xl domname ID`.
struct DomnameCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "domname", abstract: "Print the name of the domain with this id.")
    @Argument(help: ArgumentHelp("The domain id.", valueName: "ID"), completion: .domains) var id: String

    func run(_ context: CommandContext) throws { context.output.line(try context.toolstack().domainName(ofID: id)) }
}
