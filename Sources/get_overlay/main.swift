// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Glibc
import XLCommands

exit(GetOverlayMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: .standard()))
