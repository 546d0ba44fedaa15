// SPDX-License-Identifier: Apache-2.0
/// libxlutil's disk-spec scanner (`libxlu_disk_l.l`) as flex runs it: at each position every rule is tried,
/// the longest match wins (a rule's trailing context counts towards its length but is not consumed), and the
/// rule listed first wins a tie. `.` stops at a newline; a negated class such as `[^,]` does not.
struct DiskSpecScanner {
    /// The scanner's rules, in the order of the `.l` file (the order breaks ties).
    enum Rule: Int, CaseIterable {
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

    /// A rule that starts with a fixed word: `WORD=[^,]*,?`, `target=.*`, `WORD,?` or `PREFIX:/.*`.
    struct Word {
        enum Shape { case keyValue, rest, flag, prefix }
        var rule: Rule
        var bytes: [UInt8]
        var shape: Shape
    }

    let bytes: [UInt8]
    private(set) var position = 0
    /// For each index, where the next newline (or the end) is: `.*` in constant time, so that a long spec
    /// scans in linear time although the whitespace and prefix rules look to the end of the line each time.
    private let lineEnds: [Int]
    /// For each index, where the next `=` or `,` (or the end) is: the positional rule's `[^=,]*`.
    private let separatorEnds: [Int]
    /// For each index, where the next `,` (or the end) is: `[^,]*`.
    private let commaEnds: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var lineEnds = [Int](repeating: bytes.count, count: bytes.count + 1)
        var separatorEnds = lineEnds
        var commaEnds = lineEnds
        for index in stride(from: bytes.count - 1, through: 0, by: -1) {
            let byte = bytes[index]
            lineEnds[index] = byte == UInt8(ascii: "\n") ? index : lineEnds[index + 1]
            separatorEnds[index] = byte == UInt8(ascii: "=") || byte == UInt8(ascii: ",") ? index : separatorEnds[index + 1]
            commaEnds[index] = byte == UInt8(ascii: ",") ? index : commaEnds[index + 1]
        }
        self.lineEnds = lineEnds
        self.separatorEnds = separatorEnds
        self.commaEnds = commaEnds
    }

    /// The next token, or nil at the end of the input.
    mutating func next() -> Token? {
        guard position < bytes.count else { return nil }
        var best: (rule: Rule, total: Int, text: Int)?
        func consider(_ rule: Rule, _ match: (total: Int, text: Int)?) {
            guard let match else { return }
            if let current = best, match.total < current.total || (match.total == current.total && current.rule.rawValue < rule.rawValue) {
                return
            }
            best = (rule, match.total, match.text)
        }
        for word in Self.words[Int(bytes[position])] { consider(word.rule, match(word, at: position)) }
        for rule in Self.patternRules { consider(rule, match(rule, at: position)) }
        // `.` and the newline arm of the whitespace rule leave no byte unmatched.
        guard let best else { return nil }
        if best.rule == .bad {
            // `.` switches to the error state, whose `.*` takes the rest of the line; a stray byte at the very end
            // meets the end of input first, and flex stops there without an error.
            guard position + 1 < bytes.count else {
                position = bytes.count
                return nil
            }
            let end = lineEnds[position + 1]
            defer { position = bytes.count }
            return Token(rule: .bad, text: bytes[position..<end])
        }
        let token = Token(rule: best.rule, text: bytes[position..<(position + best.text)])
        position += best.text
        return token
    }

    /// The word rules by their first byte, so that each position tries only those that can match.
    private static let words: [[Word]] = {
        let list: [(Rule, String, Word.Shape)] = [
            (.format, "format=", .keyValue), (.cdrom, "cdrom", .flag), (.devtypeCDROM, "devtype=cdrom", .flag),
            (.devtypeDisk, "devtype=disk", .flag), (.devtypeOther, "devtype=", .keyValue), (.access, "access=", .keyValue),
            (.backend, "backend=", .keyValue), (.backendType, "backendtype=", .keyValue), (.specification, "specification=", .keyValue),
            (.vdev, "vdev=", .keyValue), (.script, "script=", .keyValue), (.directIOSafe, "direct-io-safe", .flag),
            (.discard, "discard", .flag), (.noDiscard, "no-discard", .flag), (.colo, "colo", .flag), (.noColo, "no-colo", .flag),
            (.coloHost, "colo-host=", .keyValue), (.coloPort, "colo-port=", .keyValue), (.coloExport, "colo-export=", .keyValue),
            (.activeDisk, "active-disk=", .keyValue), (.hiddenDisk, "hidden-disk=", .keyValue), (.trusted, "trusted", .flag),
            (.untrusted, "untrusted", .flag), (.grantUsageOn, "grant_usage=1", .flag), (.grantUsageOff, "grant_usage=0", .flag),
            (.target, "target=", .rest),
            (.formatPrefix, "raw:", .prefix), (.formatPrefix, "qcow:", .prefix), (.formatPrefix, "qcow2:", .prefix),
            (.formatPrefix, "vhd:", .prefix), (.scriptPrefix, "iscsi:", .prefix), (.scriptPrefix, "nbd:", .prefix),
            (.scriptPrefix, "enbd:", .prefix), (.scriptPrefix, "drbd:", .prefix), (.tapdiskPrefix, "tapdisk:", .prefix),
            (.tapPrefix, "tap:", .prefix), (.tapPrefix, "tap2:", .prefix), (.aioPrefix, "aio:", .prefix),
            (.ioemuPrefix, "ioemu:", .prefix), (.filePrefix, "file:", .prefix), (.phyPrefix, "phy:", .prefix),
        ]
        var table = [[Word]](repeating: [], count: 256)
        for (rule, text, shape) in list {
            let bytes = Array(text.utf8)
            table[Int(bytes[0])].append(Word(rule: rule, bytes: bytes, shape: shape))
        }
        return table
    }()

    /// The rules that are patterns rather than words.
    private static let patternRules: [Rule] = [.whitespace, .unknownParameter, .unknownPrefix, .positional, .bad]

    private func comma(_ index: Int) -> Int { index < bytes.count && bytes[index] == UInt8(ascii: ",") ? 1 : 0 }

    /// A word rule's match at `start` as (length with trailing context, length of `yytext`), or nil.
    private func match(_ word: Word, at start: Int) -> (total: Int, text: Int)? {
        let end = start + word.bytes.count
        guard end <= bytes.count, bytes[start..<end].elementsEqual(word.bytes) else { return nil }
        switch word.shape {
        case .keyValue:
            // WORD=[^,]*,?
            let length = commaEnds[end] - start + comma(commaEnds[end])
            return (length, length)
        case .rest:
            // target=.*
            let length = lineEnds[end] - start
            return (length, length)
        case .flag:
            // WORD,?
            let length = word.bytes.count + comma(end)
            return (length, length)
        case .prefix:
            // PREFIX:/.*
            return (lineEnds[end] - start, word.bytes.count)
        }
    }

    /// A pattern rule's match at `start` as (length with trailing context, length of `yytext`), or nil.
    private func match(_ rule: Rule, at start: Int) -> (total: Int, text: Int)? {
        let count = bytes.count
        func run(_ index: Int, _ member: (UInt8) -> Bool) -> Int { bytes[index...].prefix(while: member).count }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A }
        let isLowerOrDigit = { (byte: UInt8) in ASCII.isLower(byte) || ASCII.isDigit(byte) }
        switch rule {
        case .whitespace:
            // [ \t\n]+/([^ \t\n].*)?
            let head = run(start, isSpace)
            guard head > 0 else { return nil }
            let after = start + head
            let context = after < count && !isSpace(bytes[after]) ? 1 + lineEnds[after + 1] - (after + 1) : 0
            return (head + context, head)
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
            let context = after < count && !isLowerOrDigit(bytes[after]) ? 1 + lineEnds[after + 1] - (after + 1) : 0
            return (after - start + context, after - start)
        case .positional:
            // [^=,]*,|[^=,]+,?
            let body = separatorEnds[start] - start
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
