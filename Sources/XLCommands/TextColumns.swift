// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials

/// The two ways `xl` prints records: fixed-width table columns, and pretty JSON.
enum TextColumns {
    /// `text` padded on the right to `width` characters.
    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` padded on the left to `width` characters; a wider one still gets one separating space.
    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }

    /// Pretty-printed JSON with sorted keys and unescaped slashes.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
