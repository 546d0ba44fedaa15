/// libxlutil's disk-spec scanner (`libxlu_disk_l.l`) as flex runs it: at each position every rule is tried,
/// the longest match wins (a rule's trailing context counts towards its length but is not consumed), and the
/// rule listed first wins a tie. `.` stops at a newline; a negated class such as `[^,]` does not.
struct DiskSpecScanner {
    /// The scanner's rules, in the order of the `.l` file (the order breaks ties).
    enum Rule: CaseIterable {
        case whitespace
        case format, cdrom, devtypeCDROM, devtypeDisk, devtypeOther, access, backend, backendType, specification
        case vdev, script, directIOSafe, discard, noDiscard
        case colo, noColo, coloHost, coloPort, coloExport, activeDisk, hiddenDisk
        case trusted, untrusted, grantUsageOn, grantUsageOff
        case target, unknownParameter
        case formatPrefix, scriptPrefix, tapdiskPrefix, tapPrefix, aioPrefix, ioemuPrefix, filePrefix, phyPrefix
        case unknownPrefix, positional, bad
    }

    /// One match: the rule and its text (`yytext`, without trailing context).
    struct Token {
        var rule: Rule
        var text: ArraySlice<UInt8>
    }

    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next token, or nil at the end of the input.
    mutating func next() -> Token? {
        guard position < bytes.count else { return nil }
        var best: (rule: Rule, total: Int, text: Int)?
        for rule in Rule.allCases {
            guard let (total, text) = match(rule, at: position) else { continue }
            if total > (best?.total ?? 0) { best = (rule, total, text) }
        }
        // `.` and the newline arm of the whitespace rule leave no byte unmatched.
        guard let best else { return nil }
        if best.rule == .bad {
            // `.` switches to the error state, whose `.*` takes the rest of the line; a stray byte at the very end
            // meets the end of input first, and flex stops there without an error.
            guard position + 1 < bytes.count else {
                position = bytes.count
                return nil
            }
            let end = bytes[(position + 1)...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { position = bytes.count }
            return Token(rule: .bad, text: bytes[position..<end])
        }
        let token = Token(rule: best.rule, text: bytes[position..<(position + best.text)])
        position += best.text
        return token
    }

    private static let keyValues: [Rule: String] = [
        .format: "format=", .devtypeOther: "devtype=", .access: "access=", .backend: "backend=", .backendType: "backendtype=",
        .specification: "specification=", .vdev: "vdev=", .script: "script=", .coloHost: "colo-host=", .coloPort: "colo-port=",
        .coloExport: "colo-export=", .activeDisk: "active-disk=", .hiddenDisk: "hidden-disk=",
    ]
    private static let flags: [Rule: String] = [
        .cdrom: "cdrom", .devtypeCDROM: "devtype=cdrom", .devtypeDisk: "devtype=disk", .directIOSafe: "direct-io-safe",
        .discard: "discard", .noDiscard: "no-discard", .colo: "colo", .noColo: "no-colo", .trusted: "trusted",
        .untrusted: "untrusted", .grantUsageOn: "grant_usage=1", .grantUsageOff: "grant_usage=0",
    ]
    private static let prefixes: [Rule: [String]] = [
        .formatPrefix: ["raw:", "qcow:", "qcow2:", "vhd:"], .scriptPrefix: ["iscsi:", "nbd:", "enbd:", "drbd:"],
        .tapdiskPrefix: ["tapdisk:"], .tapPrefix: ["tap:", "tap2:"], .aioPrefix: ["aio:"], .ioemuPrefix: ["ioemu:"],
        .filePrefix: ["file:"], .phyPrefix: ["phy:"],
    ]

    /// The rule's match at `start` as (length with trailing context, length of `yytext`), or nil.
    private func match(_ rule: Rule, at start: Int) -> (Int, Int)? {
        let count = bytes.count
        func has(_ word: String, at index: Int) -> Bool {
            let utf8 = Array(word.utf8)
            return index + utf8.count <= count && bytes[index..<(index + utf8.count)].elementsEqual(utf8)
        }
        func comma(_ index: Int) -> Int { index < count && bytes[index] == UInt8(ascii: ",") ? 1 : 0 }
        /// `.*`: up to the next newline.
        func line(_ index: Int) -> Int { (bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? count) - index }
        func run(_ index: Int, _ member: (UInt8) -> Bool) -> Int { bytes[index...].prefix(while: member).count }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A }
        let isLowerOrDigit = { (byte: UInt8) in ASCII.isLower(byte) || ASCII.isDigit(byte) }

        if let word = Self.keyValues[rule] {
            // WORD=[^,]*,?
            guard has(word, at: start) else { return nil }
            let end = start + word.utf8.count
            let length = word.utf8.count + run(end) { $0 != UInt8(ascii: ",") }
            return (length + comma(start + length), length + comma(start + length))
        }
        if let word = Self.flags[rule] {
            // WORD,?
            guard has(word, at: start) else { return nil }
            let length = word.utf8.count + comma(start + word.utf8.count)
            return (length, length)
        }
        if let words = Self.prefixes[rule] {
            // PREFIX:/.*
            guard let word = words.first(where: { has($0, at: start) }) else { return nil }
            let head = word.utf8.count
            return (head + line(start + head), head)
        }
        switch rule {
        case .whitespace:
            // [ \t\n]+/([^ \t\n].*)?
            let head = run(start, isSpace)
            guard head > 0 else { return nil }
            let after = start + head
            let context = after < count && !isSpace(bytes[after]) ? 1 + line(after + 1) : 0
            return (head + context, head)
        case .target:
            // target=.*
            guard has("target=", at: start) else { return nil }
            let length = 7 + line(start + 7)
            return (length, length)
        case .unknownParameter:
            // [a-z][-a-z0-9]*=[^,],?
            guard ASCII.isLower(bytes[start]) else { return nil }
            var index = start + 1 + run(start + 1) { isLowerOrDigit($0) || $0 == UInt8(ascii: "-") }
            guard index + 1 < count, bytes[index] == UInt8(ascii: "="), bytes[index + 1] != UInt8(ascii: ",") else { return nil }
            index += 2
            let length = index - start + comma(index)
            return (length, length)
        case .unknownPrefix:
            // [a-z][a-z0-9]*:/([^a-z0-9].*)?
            guard ASCII.isLower(bytes[start]) else { return nil }
            let colon = start + 1 + run(start + 1, isLowerOrDigit)
            guard colon < count, bytes[colon] == UInt8(ascii: ":") else { return nil }
            let after = colon + 1
            let context = after < count && !isLowerOrDigit(bytes[after]) ? 1 + line(after + 1) : 0
            return (after - start + context, after - start)
        case .positional:
            // [^=,]*,|[^=,]+,?
            let body = run(start) { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: ",") }
            let length = body + comma(start + body)
            return length > 0 ? (length, length) : nil
        case .bad:
            // .
            return bytes[start] != UInt8(ascii: "\n") ? (1, 1) : nil
        default:
            return nil
        }
    }
}
