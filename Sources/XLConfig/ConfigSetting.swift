// SPDX-License-Identifier: Apache-2.0
/// One `key = value` or `key += value` statement, holding the value in effect after it.
public struct ConfigSetting: Hashable, Sendable {
    /// How the statement assigned its value.
    public enum Operation: String, Hashable, Sendable {
        /// `key = value`.
        case assign
        /// `key += value`: appended to the previous value of the key, if any.
        case append
    }

    public var key: String
    public var operation: Operation
    /// The value in effect: for `+=`, already joined with the earlier value, as libxlutil does.
    public var value: ConfigValue
    /// Where the key starts.
    public var position: SourcePosition
    /// The file (or `<command line>`) the statement came from.
    public var source: String

    public init(key: String, operation: Operation, value: ConfigValue, position: SourcePosition, source: String) {
        self.key = key
        self.operation = operation
        self.value = value
        self.position = position
        self.source = source
    }

    /// `source:line:column`, the prefix of every message about this setting.
    public var location: String { "\(source):\(position)" }
}
