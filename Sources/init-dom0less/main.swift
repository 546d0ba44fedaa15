import FoundationEssentials
import Glibc
import XLCommands

exit(InitDom0lessMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: .standard()))
