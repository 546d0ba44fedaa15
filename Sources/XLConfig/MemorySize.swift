// SPDX-License-Identifier: Apache-2.0
/// A memory size as `xl mem-set` and `xl mem-max` take it: decimal digits and at most one unit letter, `b`, `k`,
/// `m`, `g` or `t` in either case (bytes, KiB, MiB, GiB, TiB); no letter means MiB, as upstream's
/// `parse_mem_size_kb`. Unlike upstream, a sign, spaces, or a size past 2^53 KiB are refused, not wrapped.
public struct MemorySize: Hashable, Sendable {
    /// The size in KiB (bytes are rounded down, as upstream).
    public let kib: UInt64

    /// Reads `text`; nil when it is not a size.
    public init?(_ text: String) {
        var digits = Substring(text)
        var shift = 10  // MiB
        var bytes = false
        if let last = digits.last, !last.isASCII || !last.isNumber {
            switch last.lowercased() {
            case "b": bytes = true; shift = 0
            case "k": shift = 0
            case "m": shift = 10
            case "g": shift = 20
            case "t": shift = 30
            default: return nil
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 19, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = UInt64(digits) else { return nil }
        if bytes {
            kib = value >> 10
            return
        }
        guard value <= (UInt64(1) << 53) >> UInt64(shift) else { return nil }
        kib = value << UInt64(shift)
    }

    /// What a size may be, for error messages.
    public static let syntax = "a number with an optional unit b, k, m, g or t (MiB without one), such as 512m or 2g"
}
