// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Glibc
import XLCommands

exit(InitDom0lessMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: .standard()))
