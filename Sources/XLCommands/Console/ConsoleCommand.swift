// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl console [-t pv|serial|vuart] [-n NUM] [-e ESCAPE] DOMAIN`.
struct ConsoleCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Attach to domain's console (see Docs/xl-console.md).")
    @Option(name: .customShort("t"), help: ArgumentHelp("The console type: pv (the default), serial or vuart.", valueName: "type"))
    var type: String?
    @Option(name: .customShort("n"), help: ArgumentHelp("The console number; console numbers start from 0.", valueName: "number"))
    var number: Int = 0
    @Option(name: .customShort("e"), help: ArgumentHelp("The escape character that detaches (xenconsole's default is ^]).", valueName: "escape"))
    var escape: String?
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

    /// Most console numbers `-n` may name: xenconsole reads `--num` with `atoi`.
    static let maximumNumber = Int(Int32.max)

    func validate() throws {
        guard (0...Self.maximumNumber).contains(number) else {
            throw ValidationError("-n \(number): console numbers go from 0 to \(Self.maximumNumber)")
        }
        if let escape, !ConsoleClient.isValidEscape(escape) {
            throw ValidationError("-e \(escape): the escape is one character, or ^ and one character (such as ^])")
        }
    }

    func run(_ context: CommandContext) throws {
        let prefix = "console \(domain)"
        let kind = try type.map { name throws -> ConsoleType in
            // upstream's xl refuses an unknown type with exit status 1, before it looks at the domain.
            guard let kind = ConsoleType(rawValue: name) else {
                throw ToolstackError("\(prefix): -t \(name): console type supported are: \(ConsoleType.spellings)")
            }
            return kind
        }
        let toolstack = try context.toolstack()
        let console = try toolstack.findConsole(domain, type: kind, number: number, prefix)
        try ConsoleAttach.attach(console, escape: escape, toolstack, context, prefix)
    }
}
