import FoundationEssentials
import Glibc
import XLCommands

let output = Output(stdout: { fputs($0, stdout) }, stderr: { fputs($0, stderr) })
exit(XLMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: output))
