// SPDX-License-Identifier: Apache-2.0
import XLConfig

/// A configuration record as JSON that keeps what libxl wrote: its keys in order and its numbers and literals as
/// written, so `xl list -l` prints a record as upstream's does (yajl's beautified output: four-space indents,
/// `"key": value`).
public indirect enum RecordJSON: Hashable, Sendable {
    /// A number, `true`, `false` or `null`, as written.
    case literal(String)
    case string(String)
    case array([RecordJSON])
    case object([Member])

    /// One key and its value.
    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: RecordJSON

        public init(_ key: String, _ value: RecordJSON) {
            self.key = key
            self.value = value
        }
    }

    /// Most levels of nesting read (libxl's records have five or six).
    static let maxDepth = 64

    /// Parses `text`; nil unless it is one JSON value (with surrounding whitespace), nested at most ``maxDepth`` deep.
    public init?(parsing text: String) {
        var parser = Parser(bytes: Array(text.utf8))
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { return nil }
        self = value
    }

    /// The value of `key` in an object.
    public subscript(key: String) -> RecordJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// An object with `key` set to `value` (added at the end when missing); anything else unchanged.
    public func setting(_ key: String, to value: RecordJSON) -> RecordJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) { members[index].value = value } else { members.append(Member(key, value)) }
        return .object(members)
    }

    /// yajl's beautified text at nesting `level`: an empty array or object is `[` and `]` around a blank line.
    public func rendered(level: Int = 0) -> String {
        let pad = { (level: Int) in String(repeating: "    ", count: level) }
        switch self {
        case .literal(let text): return text
        case .string(let text): return OrderedJSON.quoted(text)
        case .array(let items):
            return "[\n" + items.map { pad(level + 1) + $0.rendered(level: level + 1) }.joined(separator: ",\n") + "\n" + pad(level) + "]"
        case .object(let members):
            return "{\n" + members.map { pad(level + 1) + OrderedJSON.quoted($0.key) + ": " + $0.value.rendered(level: level + 1) }.joined(separator: ",\n")
                + "\n" + pad(level) + "}"
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) -> RecordJSON? {
            skipSpace()
            guard index < bytes.count, depth < RecordJSON.maxDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [Member] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let member = value(depth: depth + 1) else { return nil }
                    members.append(Member(key, member))
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    guard bytes[index] == UInt8(ascii: ",") else { return nil }
                    index += 1
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [RecordJSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    guard bytes[index] == UInt8(ascii: ",") else { return nil }
                    index += 1
                }
            case UInt8(ascii: "\""):
                return string().map(RecordJSON.string)
            default:
                let start = index
                let allowed = Array("0123456789+-.eEtruefalsn".utf8)
                while index < bytes.count, allowed.contains(bytes[index]) { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                guard ["true", "false", "null"].contains(text) || Double(text) != nil else { return nil }
                return .literal(text)
            }
        }

        /// A string literal at `index`, its escapes decoded.
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() -> Bool {
                guard !raw.isEmpty else { return true }
                guard let text = String(validating: raw, as: UTF8.self) else { return false }
                scalars.append(contentsOf: text.unicodeScalars)
                raw.removeAll()
                return true
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return flush() ? String(scalars) : nil }
                guard byte >= 0x20 else { return nil }
                guard byte == UInt8(ascii: "\\") else { raw.append(byte); continue }
                guard flush(), index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else { return nil }
                    index += 4
                    var value = code
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                            let low = UInt32(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low)
                        else { return nil }
                        index += 6
                        value = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    scalars.append(scalar)
                default: return nil
                }
            }
            return nil
        }
    }
}
