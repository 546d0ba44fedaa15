// SPDX-License-Identifier: Apache-2.0
/// Splits config bytes into tokens with libxlutil's rules (`libxlu_cfg_l.l`), reporting the first bad byte.
struct ConfigLexer {
    private let bytes: [UInt8]
    private let source: String
    private var offset = 0
    private var line: Int
    private var column = 1
    /// Remarks about accepted but suspicious input, as `file:line:column: warning: …` lines.
    private(set) var warnings: [String] = []

    /// - Parameter firstLine: the line number of the first byte (command-line overrides count from their index).
    init(bytes: [UInt8], source: String, firstLine: Int = 1) {
        self.bytes = bytes
        self.source = source
        self.line = firstLine
    }

    /// The next token; `.endOfInput` forever once the input is used up.
    mutating func next() throws(ConfigSyntaxError) -> ConfigToken {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            advance()
        }
        let start = SourcePosition(line: line, column: column)
        guard let byte = peek() else { return ConfigToken(kind: .endOfInput, position: start) }
        if offset == bytes.count - 1, !Self.canEndInput(byte) {
            // libxlutil's scanner drops one bad byte right before the end of input without an error.
            warnings.append("\(source):\(start): warning: ignoring \(Self.describe(byte)) at the end of the input, as xl does")
            advance()
            return ConfigToken(kind: .endOfInput, position: start)
        }
        switch byte {
        case UInt8(ascii: "\n"):
            advance()
            return ConfigToken(kind: .newline, position: start)
        case UInt8(ascii: "#"):
            // libxlutil requires the comment's newline; a comment ending the file is accepted here.
            while let next = peek(), next != UInt8(ascii: "\n") {
                if next == 0 { throw error("a NUL byte is not allowed in a config file") }
                advance()
            }
            if peek() != nil { advance() }
            return ConfigToken(kind: .newline, position: start)
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            let text = take(while: { Self.isNameByte($0) })
            return ConfigToken(kind: .name(text), position: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let text = take(while: { Self.isNumberByte($0) })
            return ConfigToken(kind: .number(text), position: start)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let text = try quotedString()
            return ConfigToken(kind: .string(text), position: start)
        case UInt8(ascii: ","): return single(.comma, start)
        case UInt8(ascii: "["): return single(.openBracket, start)
        case UInt8(ascii: "]"): return single(.closeBracket, start)
        case UInt8(ascii: "="): return single(.assign, start)
        case UInt8(ascii: ";"): return single(.semicolon, start)
        case UInt8(ascii: "+") where peek(at: 1) == UInt8(ascii: "="):
            advance()
            return single(.append, start)
        default:
            throw error(Self.unexpected(byte))
        }
    }

    /// Whether a byte forms a token on its own as the last byte of the input.
    private static func canEndInput(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "x"):
            return true
        default:
            return false
        }
    }

    /// What to say about a byte that cannot start a token.
    private static func unexpected(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\r"):
            return "unexpected carriage return: the file has DOS (CRLF) line endings; expected LF line endings"
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return "unexpected '\(Character(Unicode.Scalar(byte)))': expected a lowercase name, "
                + "a lowercase number such as 0x1f, or a quoted string"
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: ":"):
            return "unexpected '\(Character(Unicode.Scalar(byte)))': expected a quoted string, an unsigned number "
                + "or a [list] (arithmetic and Python syntax are not supported)"
        case 0:
            return "a NUL byte is not allowed in a config file"
        case 0x21...0x7E:
            return "unexpected '\(Character(Unicode.Scalar(byte)))': expected a name, a value, '=', '+=', ',', "
                + "'[', ']', ';', a newline or a # comment"
        default:
            return "unexpected byte 0x\(String(byte, radix: 16)): expected a name, a value or a # comment "
                + "(non-ASCII text belongs in a quoted string)"
        }
    }

    // MARK: Strings

    /// A quoted string at the current byte; escapes decoded, result required to be UTF-8.
    private mutating func quotedString() throws(ConfigSyntaxError) -> String {
        guard let quote = peek() else { throw error("expected a quoted string") }
        let opening = SourcePosition(line: line, column: column)
        advance()
        var decoded: [UInt8] = []
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else {
                throw ConfigSyntaxError(
                    source: source, position: opening,
                    message: "unterminated string: expected a closing \(Character(Unicode.Scalar(quote))) "
                        + "on the same line")
            }
            if byte == quote {
                advance()
                break
            }
            if byte == 0 { throw error("a NUL byte is not allowed in a string") }
            if byte == UInt8(ascii: "\\") {
                decoded.append(try escape())
            } else {
                decoded.append(byte)
                advance()
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw ConfigSyntaxError(
                source: source, position: opening, message: "string is not valid UTF-8: expected UTF-8 text")
        }
        return text
    }

    /// Decodes one backslash escape at the current byte.
    private mutating func escape() throws(ConfigSyntaxError) -> UInt8 {
        let backslash = SourcePosition(line: line, column: column)
        advance()
        guard let letter = peek(), letter != UInt8(ascii: "\n") else {
            throw ConfigSyntaxError(
                source: source, position: backslash,
                message: "unterminated string: a backslash cannot continue a string onto the next line")
        }
        advance()
        if let simple = StringEscapes.simple[letter] { return simple }
        let value: Int
        switch letter {
        case UInt8(ascii: "x"):
            let digits = take(upTo: 2, where: { StringEscapes.hexValue($0) != nil })
            guard !digits.isEmpty else {
                throw ConfigSyntaxError(
                    source: source, position: backslash,
                    message: "bad escape: expected 1 or 2 hexadecimal digits after \\x, as in \\x41")
            }
            value = digits.reduce(0) { $0 * 16 + Int(StringEscapes.hexValue($1) ?? 0) }
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            let more = take(upTo: 2, where: { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) })
            value = ([letter] + more).reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
            guard value <= 0xFF else {
                throw ConfigSyntaxError(
                    source: source, position: backslash,
                    message: "bad escape: octal escapes go up to \\377")
            }
        default:
            throw ConfigSyntaxError(
                source: source, position: backslash,
                message: "bad escape \\\(Self.printable(letter)): expected one of \\\" \\' \\\\ \\a \\b \\f \\n "
                    + "\\r \\t \\v, \\xHH or \\OOO")
        }
        guard value != 0 else {
            throw ConfigSyntaxError(
                source: source, position: backslash, message: "bad escape: a string cannot contain a NUL character")
        }
        return UInt8(value)
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "x" + String(byte, radix: 16)
    }

    // MARK: Cursor

    private func peek(at distance: Int = 0) -> UInt8? {
        offset + distance < bytes.count ? bytes[offset + distance] : nil
    }

    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func single(_ kind: ConfigToken.Kind, _ start: SourcePosition) -> ConfigToken {
        advance()
        return ConfigToken(kind: kind, position: start)
    }

    private mutating func take(while accept: (UInt8) -> Bool) -> String {
        let begin = offset
        while let byte = peek(), accept(byte) { advance() }
        return String(decoding: bytes[begin..<offset], as: UTF8.self)
    }

    private mutating func take(upTo count: Int, where accept: (UInt8) -> Bool) -> [UInt8] {
        var taken: [UInt8] = []
        while taken.count < count, let byte = peek(), accept(byte) {
            taken.append(byte)
            advance()
        }
        return taken
    }

    private func error(_ message: String) -> ConfigSyntaxError {
        ConfigSyntaxError(source: source, position: SourcePosition(line: line, column: column), message: message)
    }
}
