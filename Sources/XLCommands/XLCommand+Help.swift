// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

extension XLCommand {
    /// `xl help [COMMAND]`: without a command, upstream's layout (a usage line, a blank line, a title, a blank line,
    /// then ` NAME` padded to 19 columns and the summary), which Debian's bash completion reads with
    /// `xl help | sed '1,4d' | awk '/^ [^ ]/'`; with one, that command's help, or upstream's
    /// `command "NAME" not implemented`.
    static func commandList(for command: String?) -> String {
        if let command {
            guard let type = configuration.subcommands.first(where: { $0.configuration.commandName == command }) else {
                return "command \"\(command)\" not implemented\n"
            }
            return helpMessage(for: type) + "\n"
        }
        var text = "Usage xl [-vfN] <subcommand> [args]\n\nxl full list of subcommands:\n\n"
        for type in configuration.subcommands where type.configuration.shouldDisplay {
            let name = type.configuration.commandName ?? ""
            let padded = name.count >= 19 ? name + "\n" + String(repeating: " ", count: 20) : name + String(repeating: " ", count: 19 - name.count)
            text += " \(padded) \(type.configuration.abstract)\n"
        }
        return text
    }
}
