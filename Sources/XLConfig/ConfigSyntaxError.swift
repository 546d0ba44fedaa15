// SPDX-License-Identifier: Apache-2.0
/// A config file that cannot be parsed: where, and what was expected there.
public struct ConfigSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var source: String
    public var position: SourcePosition
    public var message: String

    public init(source: String, position: SourcePosition, message: String) {
        self.source = source
        self.position = position
        self.message = message
    }

    /// `file:line:column: message`, on one line.
    public var description: String { "\(source):\(position): \(message)" }
}
