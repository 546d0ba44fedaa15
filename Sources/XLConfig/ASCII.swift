// SPDX-License-Identifier: Apache-2.0
/// ASCII-only text helpers, matching C's `strcasecmp` rather than Unicode case mapping.
enum ASCII {
    /// `text` with only `A`–`Z` lowered.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// `0`–`9`.
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// `a`–`z`.
    static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
}
