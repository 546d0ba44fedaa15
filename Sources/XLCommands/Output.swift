/// Where a command's text goes: stdout and stderr, or buffers in tests.
public final class Output {
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void

    public init(stdout: @escaping (String) -> Void, stderr: @escaping (String) -> Void) {
        writeOut = stdout
        writeErr = stderr
    }

    /// A line on stdout.
    func line(_ text: String) { writeOut(text + "\n") }
    /// A line on stderr.
    func error(_ text: String) { writeErr(text + "\n") }
    /// Text on stdout as it is.
    func raw(_ text: String) { writeOut(text) }
}
