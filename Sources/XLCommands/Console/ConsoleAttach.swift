import Toolstack
import XenSimulator
import XenTypes

/// Attaching to a console `Toolstack.findConsole` found, for `xl console` and `xl create -c`: in simulation, what
/// the simulated guest wrote to that console so far, on stdout (the simulated guest reads no input, so there is
/// nothing to wait for); on real Xen, `xenconsole` replaces this process.
enum ConsoleAttach {
    static func attach(_ console: ConsoleTarget, escape: String?, _ toolstack: Toolstack, _ context: CommandContext, _ prefix: String) throws {
        if let directory = context.simulationDirectory {
            // create's monitor may have been started after the host was saved and let go: look at what it saved.
            let host = try context.simulatedHost ?? SimulatedHost.open(directory: directory, xenstoredSocket: context.environment["XENSTORED_PATH"])
            defer { if context.simulatedHost == nil { host.close() } }
            let guest = host.hypervisor.state.domains.first { $0.id == console.domain }?.guest
            context.output.raw(guest?.output(vuart: console.type == .vuart) ?? "")
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
