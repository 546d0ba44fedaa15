import FoundationEssentials
import Glibc
import XLCommands

exit(GetOverlayMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: .standard()))
