// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `xl` as one argument-parser tree: the global options and every subcommand. `xl` parses its global options
/// apart (they come before the subcommand, as upstream's do), so this tree is what describes the whole command
/// line: `xl --experimental-dump-help` (which the man page is generated from) and the shell completions.
struct XLCommandTree: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xl", abstract: XLCommand.configuration.abstract,
        discussion: """
            The options below come before the subcommand, as with upstream's xl: xl [-v] [-N] [-f] SUBCOMMAND \
            [ARGS]. Every subcommand takes -h. Success is quiet; a failure is one line on stderr naming the \
            file, line, node or key, with exit status 1 (2 for a usage error), and changes nothing. With \
            --simulate DIR (or XL_SIMULATE=DIR) every command runs against a simulated Xen host kept in DIR \
            instead of the hypervisor.
            """,
        subcommands: XLCommand.configuration.subcommands)

    @OptionGroup var globals: GlobalOptions

    /// What `xl` prints for `--experimental-dump-help` or `--generate-completion-script SHELL` as its only
    /// arguments: the text, or a usage error for a shell without a script; nil for any other command line.
    static func generated(for arguments: [String]) -> Result<String, ValidationError>? {
        let option = "--generate-completion-script"
        let shell: String
        switch arguments.count {
        case 1 where arguments[0] == "--experimental-dump-help":
            return .success(_dumpHelp())
        case 1 where arguments[0].hasPrefix(option + "="):
            shell = String(arguments[0].dropFirst(option.count + 1))
        case 2 where arguments[0] == option:
            shell = arguments[1]
        default:
            return nil
        }
        guard let known = CompletionShell(rawValue: shell) else {
            let shells = CompletionShell.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(ValidationError("\(option) \(shell.debugDescription): the shells with a script are \(shells)"))
        }
        return .success(completionScript(for: known))
    }
}

extension CompletionKind {
    /// The names of the running domains, from `xl list`.
    static let domains = CompletionKind.shellCommand("xl list 2>/dev/null | awk 'NR > 1 { print $1 }'")
}
