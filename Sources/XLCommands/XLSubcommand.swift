// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// A leaf `xl` command: parsed by ArgumentParser, then run with the context built from the global options.
protocol XLSubcommand: ParsableCommand {
    func run(_ context: CommandContext) throws
}
