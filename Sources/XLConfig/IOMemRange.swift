// SPDX-License-Identifier: Apache-2.0
/// One `iomem` entry: `NUM` host pages from page `START`, mapped at guest page `GFN` (1:1 when not given).
public struct IOMemRange: Hashable, Sendable, Codable {
    public var start: UInt64
    public var number: UInt64
    public var gfn: UInt64

    public init(start: UInt64, number: UInt64, gfn: UInt64? = nil) {
        self.start = start
        self.number = number
        self.gfn = gfn ?? start
    }

    /// Page numbers must stay below 2^40: ARM physical addresses have at most 52 bits.
    public static let pageLimit: UInt64 = 1 << 40

    /// What xl's `sscanf(buf, "%lx,%lx%n@%lx%n")` plus its full-consumption check accept, as
    /// `(start, number, gfn)` with C's wrapping and saturation; nil when xl prints "Invalid argument parsing iomem".
    static func xlScan(_ text: String) -> (scans: [CNumber.Scan], values: (UInt64, UInt64, UInt64?))? {
        let bytes = Array(text.utf8)
        let first = CNumber.scanHex(bytes, from: 0)
        guard first.end > 0, first.end < bytes.count, bytes[first.end] == UInt8(ascii: ",") else { return nil }
        let second = CNumber.scanHex(bytes, from: first.end + 1)
        guard second.end > first.end + 1 else { return nil }
        var used = second.end
        var scans = [first, second]
        var gfn: UInt64?
        if used < bytes.count, bytes[used] == UInt8(ascii: "@") {
            let third = CNumber.scanHex(bytes, from: used + 1)
            if third.end > used + 1 {
                gfn = CNumber.unsignedValue(third)
                used = third.end
                scans.append(third)
            }
        }
        guard used == bytes.count else { return nil }
        return (scans, (CNumber.unsignedValue(first), CNumber.unsignedValue(second), gfn))
    }

    /// Parses `"START,NUM[@GFN]"` (hexadecimal page numbers, `0x` optional) as xl does, then refuses what xl
    /// would pass on to fail later: signs, overflow, zero pages, and ranges past the physical address space.
    /// - Throws: the reason, without the key or location.
    init(parsing text: String) throws(IOMemRange.Invalid) {
        guard let (scans, values) = Self.xlScan(text) else {
            throw Invalid(reason: "\(ConfigQuoting.quoted(text)) is not \"START,NUM[@GFN]\": expected hexadecimal "
                + "page numbers, as in \"0xfff51,1@0x10000\"")
        }
        if scans.contains(where: \.bareHexPrefix) {
            throw Invalid(reason: "\(ConfigQuoting.quoted(text)): expected hexadecimal digits after 0x")
        }
        if scans.contains(where: \.signed) {
            throw Invalid(reason: "\(ConfigQuoting.quoted(text)): expected unsigned page numbers, without + or -")
        }
        let (start, number, gfn) = values
        guard number > 0 else {
            throw Invalid(reason: "\(ConfigQuoting.quoted(text)): expected NUM of at least 1 page")
        }
        let limit = Self.pageLimit
        for (name, first) in [("START", start), ("GFN", gfn ?? start)]
        where first >= limit || number > limit - first {
            throw Invalid(reason: "\(ConfigQuoting.quoted(text)): \(name) + NUM must stay below page 0x"
                + String(limit, radix: 16) + " (52-bit physical addresses)")
        }
        self.init(start: start, number: number, gfn: gfn)
    }

    /// Why an `iomem` entry was refused.
    struct Invalid: Error {
        var reason: String
    }
}
