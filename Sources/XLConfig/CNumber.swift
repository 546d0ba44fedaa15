// SPDX-License-Identifier: Apache-2.0
/// The C number conversions xl applies to config text (`strtol`, `strtoul`, `sscanf("%lx")`), reimplemented
/// byte for byte so that the same text means the same number.
enum CNumber {
    /// One scanned integer: where it ended and what it is.
    struct Scan: Hashable, Sendable {
        /// Index just past the last byte used; equals the start index when no digits were found.
        var end: Int
        var magnitude: UInt64
        var negative: Bool
        var overflow: Bool
        /// The base actually used (0 picks 8, 10 or 16 from the prefix, like C).
        var base: Int
        /// Whether a `+` or `-` sign was written.
        var signed: Bool
        /// Whether the text was a bare `0x` that only `scanHex` reads (as 0).
        var bareHexPrefix = false
    }

    /// `isspace` in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Scans like `strtoul`/`strtol`: leading white space, a sign, a `0x` prefix (base 0 or 16) or a leading
    /// `0` (base 0 → octal), then digits. `end == from` when there are no digits.
    static func scan(_ bytes: [UInt8], from start: Int = 0, base requested: Int) -> Scan {
        var index = start
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        var negative = false
        var signed = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            signed = true
            index += 1
        }
        var base = requested
        let hasHexPrefix = index + 2 < bytes.count && bytes[index] == UInt8(ascii: "0")
            && (bytes[index + 1] == UInt8(ascii: "x") || bytes[index + 1] == UInt8(ascii: "X"))
            && digit(bytes[index + 2], base: 16) != nil
        if (base == 0 || base == 16) && hasHexPrefix {
            base = 16
            index += 2
        } else if base == 0 {
            base = index < bytes.count && bytes[index] == UInt8(ascii: "0") ? 8 : 10
        }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = index
        while index < bytes.count, let value = digit(bytes[index], base: base) {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: UInt64(base))
            let (plus, o2) = times.addingReportingOverflow(UInt64(value))
            if o1 || o2 { overflow = true }
            magnitude = plus
            index += 1
        }
        guard index > digitsStart else {
            return Scan(end: start, magnitude: 0, negative: false, overflow: false, base: base, signed: signed)
        }
        return Scan(end: index, magnitude: magnitude, negative: negative, overflow: overflow, base: base, signed: signed)
    }

    /// Scans like glibc's `sscanf("%lx")`: as `scan(base: 16)`, except that a `0x` not followed by a hex digit
    /// is still consumed, reading 0.
    static func scanHex(_ bytes: [UInt8], from start: Int) -> Scan {
        var index = start
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        var signed = false
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            signed = true
            index += 1
        }
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0"),
            bytes[index + 1] == UInt8(ascii: "x") || bytes[index + 1] == UInt8(ascii: "X"),
            index + 2 == bytes.count || digit(bytes[index + 2], base: 16) == nil
        {
            return Scan(end: index + 2, magnitude: 0, negative: negative, overflow: false, base: 16, signed: signed,
                        bareHexPrefix: true)
        }
        return scan(bytes, from: start, base: 16)
    }

    private static func digit(_ byte: UInt8, base: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < base ? value : nil
    }

    /// What `strtol(text, &end, 0)` plus libxlutil's `*end == 0` check make of a text.
    enum LongResult: Hashable, Sendable {
        case value(Int64, base: Int)
        /// errno `ERANGE`.
        case outOfRange
        /// No digits, or bytes left after them.
        case notANumber
    }

    /// `xlu_cfg_get_long`: `strtol` base 0 over the whole text (so `010` is 8 and `0x10` is 16).
    static func long(_ text: String) -> LongResult {
        let bytes = Array(text.utf8)
        let scan = scan(bytes, base: 0)
        if scan.end == 0 { return .notANumber }
        let limit: UInt64 = scan.negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if scan.overflow || scan.magnitude > limit { return .outOfRange }
        guard scan.end == bytes.count else { return .notANumber }
        let value = scan.negative ? (scan.magnitude == limit ? Int64.min : -Int64(scan.magnitude)) : Int64(scan.magnitude)
        return .value(value, base: scan.base)
    }

    /// `strtoul(text, &end, base)`'s result: C wraps a negated value and saturates on overflow.
    static func unsignedValue(_ scan: Scan) -> UInt64 {
        if scan.overflow { return UInt64.max }
        return scan.negative ? 0 &- scan.magnitude : scan.magnitude
    }
}
