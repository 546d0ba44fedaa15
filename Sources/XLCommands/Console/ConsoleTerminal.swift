// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// stdin as `xl console` reads it on a terminal: keys one at a time, not echoed (`ICANON` and `ECHO` off, as
/// xenconsole's `init_term` turns them off); the terminal's settings come back when this is released.
final class ConsoleTerminal {
    private var saved: termios

    /// Takes stdin over when both stdin and stdout are terminals, as xenconsole's interactive mode; nil otherwise.
    init?() {
        guard isatty(0) == 1, isatty(1) == 1 else { return nil }
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return nil }
        saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO)
        guard tcsetattr(0, TCSANOW, &settings) == 0 else { return nil }
    }

    deinit { _ = tcsetattr(0, TCSANOW, &saved) }

    /// Waits up to `seconds` for one key.
    func read(timeout seconds: Double) -> SimulatedConsoleFollow.Input {
        var entry = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Int32(seconds * 1000))
        guard ready > 0 else { return ready == 0 || errno == EINTR ? .none : .end }
        var byte: UInt8 = 0
        let count = readByte(&byte)
        if count == 1 { return .byte(byte) }
        return count < 0 && errno == EINTR ? .none : .end
    }
}

/// `read(2)` of one byte from stdin (outside the class, whose `read` would hide the C function).
private func readByte(_ byte: inout UInt8) -> Int { read(0, &byte, 1) }
