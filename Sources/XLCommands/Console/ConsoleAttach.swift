// SPDX-License-Identifier: Apache-2.0
import Toolstack
import XenSimulator
import XenTypes

/// Attaching to a console `Toolstack.findConsole` found, for `xl console` and `xl create -c`: in simulation, what
/// the simulated guest wrote to that console so far, on stdout, and then, when `follow` and stdin and stdout are
/// terminals, what it writes next, until the escape character (``SimulatedConsoleFollow``); on real Xen,
/// `xenconsole` replaces this process.
enum ConsoleAttach {
    static func attach(_ console: ConsoleTarget, escape: String?, follow: Bool = true, _ toolstack: Toolstack, _ context: CommandContext,
                       _ prefix: String) throws {
        if let directory = context.simulationDirectory {
            if toolstack.dryRun {
                // As on real Xen, -N says what it would attach to and attaches to nothing.
                context.output.line("dry run: would attach to console \(console.number) (\(console.type.rawValue)) of simulated domain \(console.domain.rawValue)")
                return
            }
            let vuart = console.type == .vuart
            let shown: String
            if let host = context.simulatedHost {
                shown = host.hypervisor.state.domains.first { $0.id == console.domain }?.guest?.output(vuart: vuart) ?? ""
            } else {
                // create's monitor was started after the host was saved and let go: look at what it saved.
                shown = try SimulatedHost.savedConsole(directory: directory, domain: console.domain, vuart: vuart) ?? ""
            }
            context.output.raw(shown)
            guard follow, context.output.isTerminal, let terminal = ConsoleTerminal() else { return }
            // Let other commands have the host while this one stays attached.
            try context.finish()
            let follower = SimulatedConsoleFollow(
                escape: SimulatedConsoleFollow.escapeByte(escape), input: { terminal.read(timeout: $0) },
                output: { try SimulatedHost.savedConsole(directory: directory, domain: console.domain, vuart: vuart) },
                write: { context.output.raw($0) })
            _ = try follower.run(after: shown)
            return
        }
        let version: XenVersion
        do { version = try toolstack.hypervisor.version() } catch {
            throw ToolstackError("\(prefix): the Xen version is unreadable, so xenconsole cannot be found (\(error.errno))")
        }
        guard let path = ConsoleClient.locate(version: version, environment: context.environment) else {
            let tried = ConsoleClient.candidates(version: version, environment: context.environment).joined(separator: ", ")
            throw ToolstackError("\(prefix): no xenconsole was found (tried \(tried); set XL_XENCONSOLE)")
        }
        let arguments = ConsoleClient.arguments(path, console, escape: escape)
        if toolstack.dryRun {
            context.output.line("dry run: would run " + arguments.joined(separator: " "))
            return
        }
        let failure = ConsoleClient.exec(arguments)
        throw ToolstackError("\(prefix): \(path) could not be run: \(failure)")
    }
}
