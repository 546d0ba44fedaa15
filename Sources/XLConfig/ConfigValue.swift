// SPDX-License-Identifier: Apache-2.0
/// A parsed config value: a string (quoted strings and bare numbers alike) or a list, with where it starts.
public struct ConfigValue: Hashable, Sendable {
    /// What a value holds. Numbers stay text, as libxlutil keeps the token text.
    public indirect enum Content: Hashable, Sendable {
        case string(String)
        case list([ConfigValue])
    }

    public var content: Content
    public var position: SourcePosition

    public init(_ content: Content, at position: SourcePosition) {
        self.content = content
        self.position = position
    }

    /// The text, if this is a single value.
    public var string: String? {
        if case .string(let text) = content { return text }
        return nil
    }

    /// The items, if this is a list.
    public var list: [ConfigValue]? {
        if case .list(let items) = content { return items }
        return nil
    }

    /// The value without positions, for comparisons and display.
    public var plain: PlainConfigValue {
        switch content {
        case .string(let text): return .string(text)
        case .list(let items): return .list(items.map(\.plain))
        }
    }
}

/// A config value without source positions.
public indirect enum PlainConfigValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case list([PlainConfigValue])

    /// The value in config syntax, strings double-quoted.
    public var description: String {
        switch self {
        case .string(let text): return ConfigQuoting.quoted(text)
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
