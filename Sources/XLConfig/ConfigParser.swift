// SPDX-License-Identifier: Apache-2.0
/// Parses config statements with libxlutil's grammar (`libxlu_cfg_y.y`) into settings, stopping at the first error.
struct ConfigParser {
    private var lexer: ConfigLexer
    private let source: String
    private let limits: ConfigLimits
    private var token: ConfigToken

    init(bytes: [UInt8], source: String, limits: ConfigLimits, firstLine: Int = 1) throws(ConfigSyntaxError) {
        self.lexer = ConfigLexer(bytes: bytes, source: source, firstLine: firstLine)
        self.source = source
        self.limits = limits
        self.token = try lexer.next()
    }

    /// Warnings the lexer collected so far.
    var warnings: [String] { lexer.warnings }

    /// Every statement in order: `(key, operation, value as written, key position)`.
    mutating func statements() throws(ConfigSyntaxError) -> [ConfigStatement] {
        var result: [ConfigStatement] = []
        while true {
            switch token.kind {
            case .endOfInput:
                return result
            case .newline, .semicolon:
                try advance()
            case .name(let key):
                guard result.count < limits.maxSettings else {
                    throw error(at: token.position, "too many settings: at most \(limits.maxSettings) are allowed")
                }
                let keyPosition = token.position
                try advance()
                let operation: ConfigSetting.Operation
                switch token.kind {
                case .assign: operation = .assign
                case .append: operation = .append
                default: throw unexpected("'=' or '+=' after '\(key)'")
                }
                try advance()
                let value = try value(depth: 0, after: "'\(operation == .assign ? "=" : "+=")'")
                result.append(ConfigStatement(key: key, operation: operation, value: value, position: keyPosition))
                switch token.kind {
                case .newline, .semicolon, .endOfInput: break
                default: throw unexpected("end of line or ';' after the value of '\(key)'")
                }
            default:
                throw unexpected("a setting name (lowercase letters, digits, '_' or '.', such as memory)")
            }
        }
    }

    /// `STRING | NUMBER | '[' newlines items ']'`.
    private mutating func value(depth: Int, after context: String) throws(ConfigSyntaxError) -> ConfigValue {
        let position = token.position
        switch token.kind {
        case .string(let text), .number(let text):
            try advance()
            return ConfigValue(.string(text), at: position)
        case .openBracket:
            guard depth < limits.maxNesting else {
                throw error(at: position, "lists nested too deeply: at most \(limits.maxNesting) levels are allowed")
            }
            try advance()
            return ConfigValue(.list(try items(depth: depth + 1)), at: position)
        default:
            throw unexpected("a value (a quoted string, a number or a [list]) after \(context)")
        }
    }

    /// The items of a list after its `[`, up to and including `]`; newlines and a trailing comma are allowed.
    private mutating func items(depth: Int) throws(ConfigSyntaxError) -> [ConfigValue] {
        var items: [ConfigValue] = []
        try skipNewlines()
        if token.kind == .closeBracket {
            try advance()
            return items
        }
        while true {
            guard items.count < limits.maxListItems else {
                throw error(at: token.position, "list too long: at most \(limits.maxListItems) items are allowed")
            }
            items.append(try value(depth: depth, after: items.isEmpty ? "'['" : "','"))
            try skipNewlines()
            switch token.kind {
            case .closeBracket:
                try advance()
                return items
            case .comma:
                try advance()
                try skipNewlines()
                if token.kind == .closeBracket {
                    try advance()
                    return items
                }
            default:
                throw unexpected("',' or ']' in the list")
            }
        }
    }

    private mutating func skipNewlines() throws(ConfigSyntaxError) {
        while token.kind == .newline { try advance() }
    }

    private mutating func advance() throws(ConfigSyntaxError) {
        token = try lexer.next()
    }

    private func unexpected(_ expected: String) -> ConfigSyntaxError {
        error(at: token.position, "expected \(expected), found \(token.description)")
    }

    private func error(at position: SourcePosition, _ message: String) -> ConfigSyntaxError {
        ConfigSyntaxError(source: source, position: position, message: message)
    }
}

/// One parsed statement before `+=` is resolved.
struct ConfigStatement: Hashable, Sendable {
    var key: String
    var operation: ConfigSetting.Operation
    var value: ConfigValue
    var position: SourcePosition
}
