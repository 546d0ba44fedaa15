// SPDX-License-Identifier: Apache-2.0
import Glibc

extension Output {
    /// The process's stdout and stderr, written with `write(2)` (all of the text, retrying on `EINTR`).
    public static func standard() -> Output {
        Output(stdout: { emitAll(1, $0) }, stderr: { emitAll(2, $0) }, isTerminal: isatty(0) == 1 && isatty(1) == 1)
    }

    private static func emitAll(_ descriptor: Int32, _ text: String) {
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
}
