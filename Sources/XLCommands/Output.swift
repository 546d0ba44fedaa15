// SPDX-License-Identifier: Apache-2.0
/// Where a command's text goes: stdout and stderr, or buffers in tests.
public final class Output {
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void
    /// stdin and stdout are this process's own and both terminals (only ``standard()`` says so): `xl console`
    /// may then stay attached.
    let isTerminal: Bool

    public init(stdout: @escaping (String) -> Void, stderr: @escaping (String) -> Void, isTerminal: Bool = false) {
        writeOut = stdout
        writeErr = stderr
        self.isTerminal = isTerminal
    }

    /// A line on stdout.
    func line(_ text: String) { writeOut(text + "\n") }
    /// A line on stderr.
    func error(_ text: String) { writeErr(text + "\n") }
    /// Text on stdout as it is.
    func raw(_ text: String) { writeOut(text) }
}
