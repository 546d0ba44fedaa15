// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack
import XenSys

/// The `xl` entry point as a function of its arguments, environment and output, so tests run it in process.
public enum XLMain {
    /// Runs `xl` with `arguments` (without the program name); returns the exit status:
    /// 0 on success, 1 when the command failed, 2 on a usage error. `executable` is the `xl` program itself, which
    /// `create` starts again as the domain's monitor (nil inside another program: `create` then needs `-e` or `-F`).
    public static func run(_ arguments: [String], environment: [String: String], output: Output, executable: String? = nil) -> Int32 {
        switch XLCommandTree.generated(for: arguments) {
        case .success(let text):
            output.raw(text.hasSuffix("\n") ? text : text + "\n")
            return 0
        case .failure(let error):
            output.error("xl: \(error.message)")
            return 2
        case nil:
            break
        }
        let (globalArguments, commandArguments) = GlobalOptions.split(arguments)
        let globals: GlobalOptions
        do {
            globals = try GlobalOptions.parse(globalArguments)
        } catch {
            guard XLCommand.exitCode(for: error) != .success else { return usage(error, output) }
            output.error("xl: \(GlobalOptions.message(for: error)) (global options come before the subcommand; see xl -h)")
            return 2
        }
        if globals.version {
            output.line(ToolVersion.line("xl"))
            return 0
        }
        guard !commandArguments.isEmpty else {
            output.error(XLCommand.helpMessage())
            return 2
        }
        if commandArguments.first == "help" {
            output.raw(XLCommand.commandList(for: commandArguments.dropFirst().first))
            return 0
        }
        if let name = commandArguments.first, !name.hasPrefix("-"),
            !XLCommand.configuration.subcommands.contains(where: { $0.configuration.commandName == name }) {
            output.error("command \"\(name)\" not implemented")
            return 1
        }
        var command: ParsableCommand
        do {
            command = try XLCommand.parseAsRoot(commandArguments)
        } catch {
            return usage(error, output)
        }
        guard let subcommand = command as? XLSubcommand else {
            // A command group without its subcommand is a usage error; `-h` arrives as
            // ArgumentParser's own help command, whose run() throws the help request.
            if !type(of: command).configuration.subcommands.isEmpty {
                output.error(XLCommand.helpMessage(for: type(of: command)))
                return 2
            }
            do { try command.run() } catch { return usage(error, output) }
            return 0
        }
        let context = CommandContext(globals: globals, environment: environment, output: output, executable: executable)
        do {
            try subcommand.run(context)
            try context.finish()
            return 0
        } catch {
            try? context.finish()
            output.error(String(describing: error))
            return 1
        }
    }

    /// Help goes to stdout with status 0; a parse error is one line plus the usage, status 2.
    private static func usage(_ error: Error, _ output: Output) -> Int32 {
        let code = XLCommand.exitCode(for: error)
        if code == .success {
            output.raw(XLCommand.fullMessage(for: error) + "\n")
            return 0
        }
        var text = XLCommand.fullMessage(for: error)
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        output.error(text)
        return 2
    }
}

extension XLMain {
    /// The running program's path (`/proc/self/exe`), for `main.swift` to hand to ``run(_:environment:output:executable:)``.
    public static var currentExecutable: String? { DetachedProcess.currentExecutable }
}
