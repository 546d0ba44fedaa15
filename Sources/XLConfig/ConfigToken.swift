// SPDX-License-Identifier: Apache-2.0
/// One lexical token of the xl config language, as libxlutil's flex scanner splits the input.
struct ConfigToken: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// `[a-z][._0-9a-z]*`.
        case name(String)
        /// `[0-9][0-9a-fx]*`, kept as text.
        case number(String)
        /// A quoted string, escapes already decoded.
        case string(String)
        case comma, openBracket, closeBracket, assign, append, semicolon
        /// A newline, or a `#` comment with the newline ending it.
        case newline
        case endOfInput
    }

    var kind: Kind
    var position: SourcePosition

    /// How messages name the token: `'='`, `end of line`, `number 12`.
    var description: String {
        switch kind {
        case .name(let text): return "name '\(text)'"
        case .number(let text): return "number \(text)"
        case .string(let text): return "string \(ConfigQuoting.quoted(text))"
        case .comma: return "','"
        case .openBracket: return "'['"
        case .closeBracket: return "']'"
        case .assign: return "'='"
        case .append: return "'+='"
        case .semicolon: return "';'"
        case .newline: return "end of line"
        case .endOfInput: return "end of file"
        }
    }
}
