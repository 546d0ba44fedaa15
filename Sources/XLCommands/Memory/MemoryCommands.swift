// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl mem-max DOMAIN SIZE`.
struct MemMaxCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-max", abstract: "Set the maximum amount reservation for a domain.",
        discussion: "SIZE is a number with an optional unit b, k, m, g or t (MiB without one). It may not be below the domain's memory target.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The most memory the domain may hold, such as 1g.", valueName: "SIZE")) var size: String

    func run(_ context: CommandContext) throws { try context.toolstack().setMaxMemory(domain, size: size) }
}

/// `xl mem-set DOMAIN SIZE`.
struct MemSetCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-set", abstract: "Set the current memory usage for a domain.",
        discussion: """
            Sets the guest's balloon target (memory/target) and moves the domain's maximum to it. SIZE is a number \
            with an optional unit b, k, m, g or t (MiB without one), at most the domain's maximum (xl mem-max).
            """)
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The memory the guest should hold, such as 512m.", valueName: "SIZE")) var size: String

    func run(_ context: CommandContext) throws { try context.toolstack().setMemoryTarget(domain, size: size) }
}
