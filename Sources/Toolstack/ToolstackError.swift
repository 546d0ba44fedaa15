// SPDX-License-Identifier: Apache-2.0
/// A failed toolstack operation, as the one line `xl` prints on stderr (exit status 1).
public struct ToolstackError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The hypervisor did change before the failure and that change cannot be taken back
    /// (an attach whose xenstore record failed); callers must not try to undo earlier steps.
    public var hostChanged: Bool

    public init(_ message: String, hostChanged: Bool = false) {
        self.message = message
        self.hostChanged = hostChanged
    }
    public var description: String { message }
}
