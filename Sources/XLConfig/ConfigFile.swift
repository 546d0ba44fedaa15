// SPDX-License-Identifier: Apache-2.0
/// A parsed xl config: every statement in order, each holding the value in effect after it.
///
/// Lookups follow libxlutil: the last statement for a key wins, and `+=` joins its value onto the
/// value the key had before (strings concatenate, lists append).
public struct ConfigFile: Hashable, Sendable {
    /// The name used in messages, usually the file's path.
    public let source: String
    public let limits: ConfigLimits
    /// All statements, in source order (command-line overrides last).
    public private(set) var settings: [ConfigSetting] = []
    /// Accepted oddities worth telling the user, as `file:line:column: warning: …` lines.
    public private(set) var warnings: [String] = []

    /// An empty config.
    public init(source: String, limits: ConfigLimits = .standard) {
        self.source = source
        self.limits = limits
    }

    /// Parses config text.
    public init(parsing text: String, source: String, limits: ConfigLimits = .standard) throws(ConfigSyntaxError) {
        try self.init(parsing: Array(text.utf8), source: source, limits: limits)
    }

    /// Parses config bytes, as read from a file.
    public init(parsing bytes: [UInt8], source: String, limits: ConfigLimits = .standard) throws(ConfigSyntaxError) {
        self.init(source: source, limits: limits)
        try append(bytes, source: source, firstLine: 1)
    }

    /// The statement in effect for `key`: the last one.
    public subscript(key: String) -> ConfigSetting? {
        settings.last { $0.key == key }
    }

    /// Every key, once, in order of first appearance.
    public var keys: [String] {
        var seen: Set<String> = []
        return settings.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }

    /// Applies `xl create cfg KEY=VALUE …` overrides: each argument is parsed as a config line and applied after
    /// the file, so `+=` in an override appends to the file's value. Messages name `<command line>` and the
    /// argument's number as the line.
    public mutating func applyOverrides(_ arguments: [String]) throws(ConfigSyntaxError) {
        for (index, argument) in arguments.enumerated() {
            try append(Array(argument.utf8), source: "<command line>", firstLine: index + 1)
        }
    }

    private mutating func append(_ bytes: [UInt8], source: String, firstLine: Int) throws(ConfigSyntaxError) {
        guard bytes.count <= limits.maxBytes else {
            throw ConfigSyntaxError(
                source: source, position: SourcePosition(line: firstLine, column: 1),
                message: "too large: \(bytes.count) bytes, at most \(limits.maxBytes) are allowed")
        }
        var parser = try ConfigParser(bytes: bytes, source: source, limits: limits, firstLine: firstLine)
        for statement in try parser.statements() {
            try record(statement, source: source)
        }
        warnings += parser.warnings
    }

    /// Stores one statement, joining `+=` onto the previous value as `xlu__cfg_set_store` does.
    private mutating func record(_ statement: ConfigStatement, source: String) throws(ConfigSyntaxError) {
        guard settings.count < limits.maxSettings else {
            throw ConfigSyntaxError(
                source: source, position: statement.position,
                message: "too many settings: at most \(limits.maxSettings) are allowed")
        }
        var value = statement.value
        if statement.operation == .append, let previous = self[statement.key] {
            switch (previous.value.content, value.content) {
            case (.string(let before), .string(let added)):
                value.content = .string(before + added)
            case (.list(let before), .list(let added)):
                guard before.count + added.count <= limits.maxListItems else {
                    throw ConfigSyntaxError(
                        source: source, position: value.position,
                        message: "list too long: at most \(limits.maxListItems) items are allowed")
                }
                value.content = .list(before + added)
            default:
                throw ConfigSyntaxError(
                    source: source, position: value.position,
                    message: "cannot use += to join a list and a single value: '\(statement.key)' "
                        + "is a \(previous.value.list == nil ? "single value" : "list") (set at "
                        + "\(previous.location)); expected a \(previous.value.list == nil ? "single value" : "[list]")")
            }
        }
        settings.append(
            ConfigSetting(
                key: statement.key, operation: statement.operation, value: value,
                position: statement.position, source: source))
    }
}
