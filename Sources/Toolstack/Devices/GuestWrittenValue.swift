// SPDX-License-Identifier: Apache-2.0
/// Checks on what a guest (or a driver domain) wrote into xenstore before `xl` uses it: a guest controls
/// its frontend nodes, so every value is bounded in length and checked character by character.
public enum GuestWrittenValue {
    /// Most bytes of a value `xl` reads from a guest's node; longer values are refused, not truncated.
    public static let maxBytes = 256

    /// A decimal number of at most `maxDigits` digits, with no sign, space or other byte; nil otherwise.
    public static func unsigned(_ bytes: [UInt8], maxDigits: Int = 10) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= maxDigits, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return bytes.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
    }

    /// Printable ASCII text of at most ``maxBytes`` bytes; nil otherwise.
    public static func text(_ bytes: [UInt8]) -> String? {
        guard bytes.count <= maxBytes, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A value shown in an error message: printable ASCII, at most 64 bytes, anything else as `?`.
    public static func shown(_ bytes: [UInt8]) -> String {
        let kept = bytes.prefix(64).map { $0 >= 0x20 && $0 < 0x7f ? Character(UnicodeScalar($0)) : "?" }
        return String(kept) + (bytes.count > 64 ? "..." : "")
    }
}
