// SPDX-License-Identifier: Apache-2.0
extension NetworkRate {
    /// libxl's interval when a rate gives none: 50 ms.
    public static let defaultIntervalMicroseconds: UInt32 = 50_000

    /// A vif `rate=` value as libxlutil's `xlu_vif_parse_rate` reads it: `AMOUNT[G|M|K](B|b)/s[@INTERVAL[m|u][s]]`,
    /// such as `10MB/s@20ms`. Numbers go through C's `strtoull` base 0, so a leading `0` makes them octal, as upstream.
    /// - Throws: the reason, in words for the `rate` key of a ``DeviceSpecError``.
    public init(parsing text: String) throws(NetworkRateError) {
        let bytes = Array(text.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "@"))
        let amount = Array(bytes[..<(at ?? bytes.count)])
        guard !amount.isEmpty else { throw NetworkRateError("no rate before the '@'; write an amount such as 10MB/s") }
        let perSecond = try Self.bytesPerSecond(amount)
        var interval = Self.defaultIntervalMicroseconds
        if let at { interval = try Self.intervalMicroseconds(Array(bytes[(at + 1)...])) }
        let (product, overflow) = perSecond.multipliedReportingOverflow(by: UInt64(interval))
        guard !overflow else { throw NetworkRateError("the rate times the interval does not fit in 64 bits; write a smaller rate or interval") }
        self.init(bytesPerInterval: product / 1_000_000, intervalMicroseconds: interval)
    }

    /// `^[0-9]+[GMK]?[Bb]/s$`, then the amount with its unit applied (bits are divided by 8).
    private static func bytesPerSecond(_ text: [UInt8]) throws(NetworkRateError) -> UInt64 {
        let digits = text.prefix { ASCII.isDigit($0) }.count
        var rest = text[digits...]
        if let unit = rest.first, unit == UInt8(ascii: "G") || unit == UInt8(ascii: "M") || unit == UInt8(ascii: "K") { rest = rest.dropFirst() }
        guard digits > 0, rest.count == 3, rest.first == UInt8(ascii: "B") || rest.first == UInt8(ascii: "b"),
            Array(rest.dropFirst()) == Array("/s".utf8)
        else {
            throw NetworkRateError("expected an amount per second such as 10MB/s, 100Mb/s or 500KB/s (B bytes, b bits), found \(quoted(text))")
        }
        let scan = CNumber.scan(text, base: 0)
        let value = CNumber.unsignedValue(scan)
        guard value != 0, value <= UInt64(UInt32.max) else {
            throw NetworkRateError("the amount in \(quoted(text)) must be from 1 to 4294967295 (a leading 0 makes it octal, as in C)")
        }
        let unit = scan.end < text.count ? text[scan.end] : 0
        let next = scan.end + 1 < text.count ? text[scan.end + 1] : 0
        var result = value
        switch unit {
        case UInt8(ascii: "G"): result *= 1_000_000_000
        case UInt8(ascii: "M"): result *= 1_000_000
        case UInt8(ascii: "K"): result *= 1_000
        default: break
        }
        if unit == UInt8(ascii: "b") || next == UInt8(ascii: "b") { result /= 8 }
        return result
    }

    /// `^[0-9]+[mu]?s?$` in microseconds: no unit or `s` is seconds, `m` milliseconds, `u` microseconds.
    private static func intervalMicroseconds(_ text: [UInt8]) throws(NetworkRateError) -> UInt32 {
        let digits = text.prefix { ASCII.isDigit($0) }.count
        var rest = text[digits...]
        if let unit = rest.first, unit == UInt8(ascii: "m") || unit == UInt8(ascii: "u") { rest = rest.dropFirst() }
        if rest.first == UInt8(ascii: "s") { rest = rest.dropFirst() }
        guard digits > 0, rest.isEmpty else {
            throw NetworkRateError("expected an interval after '@' such as 20ms, 500us or 1s, found \(quoted(text))")
        }
        let scan = CNumber.scan(text, base: 0)
        let value = CNumber.unsignedValue(scan)
        let unit = scan.end < text.count ? text[scan.end] : 0
        let scale: UInt64 = unit == UInt8(ascii: "s") || unit == 0 ? 1_000_000 : unit == UInt8(ascii: "m") ? 1_000 : 1
        guard value != 0, value <= UInt64(UInt32.max), value * scale <= UInt64(UInt32.max) else {
            throw NetworkRateError("the interval \(quoted(text)) must be from 1us to 4294967295us (about 71 minutes; a leading 0 makes it octal, as in C)")
        }
        return UInt32(value * scale)
    }

    private static func quoted(_ bytes: [UInt8]) -> String { ConfigQuoting.quoted(String(decoding: bytes, as: UTF8.self)) }
}

/// Why a vif `rate=` value is refused.
public struct NetworkRateError: Error, Hashable, Sendable {
    public var reason: String

    init(_ reason: String) { self.reason = reason }
}
