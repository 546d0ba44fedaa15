import FoundationEssentials
import Glibc
import XLCommands

/// Writes text to a file descriptor, all of it.
func emit(_ descriptor: Int32, _ text: String) {
    var text = text
    text.withUTF8 { buffer in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, base + offset, buffer.count - offset)
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

let output = Output(stdout: { emit(1, $0) }, stderr: { emit(2, $0) })
exit(XLMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: output))
