// SPDX-License-Identifier: Apache-2.0
/// A JSON value whose objects keep their keys in order, written as libxl writes its JSON: pretty with
/// four-space indents and `"key": value` (yajl's beautified output), or compact on one line.
public indirect enum OrderedJSON: Sendable {
    case string(String)
    case unsigned(UInt64)
    case bool(Bool)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    /// The text; `pretty` as `xl -N create` prints, else compact as libxl records it.
    public func rendered(pretty: Bool) -> String {
        var text = ""
        write(to: &text, pretty: pretty, indent: 0)
        return text
    }

    private func write(to text: inout String, pretty: Bool, indent: Int) {
        let newline = pretty ? "\n" : ""
        let pad = { (level: Int) in pretty ? String(repeating: " ", count: 4 * level) : "" }
        switch self {
        case .string(let value):
            text += Self.quoted(value)
        case .unsigned(let value):
            text += String(value)
        case .bool(let value):
            text += value ? "true" : "false"
        case .array(let items):
            // yajl's beautifier opens and closes on lines of their own: an empty one keeps a blank line.
            text += "[" + newline + (items.isEmpty ? newline : "")
            for (index, item) in items.enumerated() {
                text += pad(indent + 1)
                item.write(to: &text, pretty: pretty, indent: indent + 1)
                text += (index < items.count - 1 ? "," : "") + newline
            }
            text += pad(indent) + "]"
        case .object(let members):
            text += "{" + newline + (members.isEmpty ? newline : "")
            for (index, (key, value)) in members.enumerated() {
                text += pad(indent + 1) + Self.quoted(key) + (pretty ? ": " : ":")
                value.write(to: &text, pretty: pretty, indent: indent + 1)
                text += (index < members.count - 1 ? "," : "") + newline
            }
            text += pad(indent) + "}"
        }
    }

    /// A JSON string literal as yajl writes it: quotes, backslashes and control characters escaped.
    public static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
