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

    /// printf's `%Ns`: right-aligned in `width`, a wider text as it is.
    static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// printf's `%.1f` of a non-negative value.
    static func tenths(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return String(tenths / 10) + "." + String(tenths % 10)
    }

    /// Pretty-printed JSON with sorted keys and unescaped slashes.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
