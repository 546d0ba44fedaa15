// SPDX-License-Identifier: Apache-2.0
/// A config value the typed domain configuration refuses: where, which key, and what is allowed.
public struct DomainConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `file:line:column`, or just the file when the key is missing.
    public var location: String
    public var key: String
    public var message: String

    public init(location: String, key: String, message: String) {
        self.location = location
        self.key = key
        self.message = message
    }

    /// `file:line:column: key: message`, on one line.
    public var description: String { "\(location): \(key): \(message)" }
}
