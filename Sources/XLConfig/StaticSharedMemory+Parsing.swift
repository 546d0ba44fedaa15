// SPDX-License-Identifier: Apache-2.0
extension StaticSharedMemory {
    /// Why an `SSHM_SPEC` was refused: the id when it could be read (to name the spec), the key at fault, and why.
    struct Invalid: Error {
        var id: String?
        var field: String?
        var reason: String
    }

    /// Parses one `SSHM_SPEC`: `KEY=VALUE` pairs separated by commas (a trailing comma is fine), spaces around
    /// `=` and `,`, each key at most once; values are made of letters, digits and `_`. Numbers are decimal, or
    /// hexadecimal after a lowercase `0x`, as in the fork's parser.
    /// - Throws: the first problem, naming the key.
    init(parsing text: String) throws(Invalid) {
        let id = Self.idForMessages(text)
        func invalid(_ field: String?, _ reason: String) -> Invalid { Invalid(id: id, field: field, reason: reason) }

        var values: [String: String] = [:]
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false).map { Self.trimmed(String($0)) }
        for (index, piece) in pieces.enumerated() {
            if piece.isEmpty {
                // A trailing comma ends the list; an empty spec has no keys (and no id, reported below).
                if index == pieces.count - 1 { continue }
                throw invalid(nil, "expected KEY=VALUE between commas, found an empty entry")
            }
            guard let equals = piece.firstIndex(of: "=") else {
                throw invalid(nil, "expected KEY=VALUE, found \(ConfigQuoting.quoted(piece))")
            }
            let key = Self.trimmed(String(piece[..<equals]))
            let value = Self.trimmed(String(piece[piece.index(after: equals)...]))
            guard Self.keys.contains(key) else {
                let known = Self.keys.dropLast().joined(separator: ", ") + " or " + (Self.keys.last ?? "")
                throw invalid(nil, "unknown key \(ConfigQuoting.quoted(key)) in \(ConfigQuoting.quoted(piece)): expected \(known)")
            }
            guard values[key] == nil else { throw invalid(key, "given twice; each key may appear once in a spec") }
            guard !value.isEmpty else { throw invalid(key, "expected a value after '='") }
            guard Self.isWord(value) else {
                throw invalid(key, "\(ConfigQuoting.quoted(value)) is not a value: values are letters, digits and _")
            }
            values[key] = value
        }

        guard let name = values["id"] else { throw invalid("id", "required: name the region, as in id=ID1") }
        guard name.utf8.count <= Self.maxIDLength else {
            throw invalid("id", "is \(name.utf8.count) characters long; at most \(Self.maxIDLength)")
        }
        let role: Role = try Self.choice(values["role"], Role.allCases, field: "role", invalid) ?? .borrower
        guard let beginText = values["begin"] else {
            throw invalid("begin", "required: the region's guest physical address, as in begin=0x60000000")
        }
        guard let sizeText = values["size"] else { throw invalid("size", "required: the region's size in bytes, as in size=0x100000") }
        let begin = try Self.number(beginText, field: "begin", invalid)
        let size = try Self.number(sizeText, field: "size", invalid)
        var offset: UInt64?
        if let text = values["offset"] { offset = try Self.number(text, field: "offset", invalid) }
        if let text = values["prot"], ASCII.lowercased(text) != Permission.rw.rawValue {
            throw invalid("prot", "expected rw, the only permission static shared memory has, found \(ConfigQuoting.quoted(text))")
        }
        var policy: CachePolicy?
        if let text = values["cache_policy"] {
            guard role == .owner else {
                throw invalid("cache_policy", "only an owner sets a cache policy (role=owner); a borrower maps the owner's pages as the owner set them")
            }
            if ASCII.lowercased(text) == "x86_normal" {
                throw invalid("cache_policy", "x86_normal is for x86 guests; ARM guests take ARM_normal (the default)")
            }
            policy = try Self.choice(text, CachePolicy.allCases, field: "cache_policy", invalid) as CachePolicy?
        }
        if offset != nil, role == .owner {
            throw invalid("offset", "only a borrower maps from an offset into the owner's region; an owner's region starts at its begin")
        }

        for (field, value) in [("begin", begin), ("size", size), ("offset", offset ?? 0)] where value % Self.pageSize != 0 {
            throw invalid(field, "\(Self.hex(value)) is not a multiple of 4 KiB (0x1000)")
        }
        guard size > 0 else { throw invalid("size", "must not be zero") }
        let (end, wraps) = begin.addingReportingOverflow(size)
        guard !wraps else { throw invalid("size", "begin \(Self.hex(begin)) + size \(Self.hex(size)) wraps past 2^64") }
        guard end <= Self.addressLimit else {
            throw invalid("size", "the region \(Self.describe(begin..<end)) ends above \(Self.hex(Self.addressLimit)), beyond 52-bit guest physical addresses")
        }
        if let offset, offset.addingReportingOverflow(size).overflow {
            throw invalid("offset", "offset \(Self.hex(offset)) + size \(Self.hex(size)) wraps past 2^64")
        }
        self.init(id: name, role: role, begin: begin, size: size, offset: offset ?? 0, prot: .rw, cachePolicy: policy)
    }

    /// Guest physical addresses end below 2^52 (the same bound as `iomem` page numbers).
    public static let addressLimit: UInt64 = IOMemRange.pageLimit * 4096

    /// `0x1f000`.
    public static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// `0x40000000-0x400fffff`, the first and last byte.
    public static func describe(_ range: Range<UInt64>) -> String {
        range.isEmpty ? hex(range.lowerBound) : "\(hex(range.lowerBound))-\(hex(range.upperBound - 1))"
    }

    /// The id to name the spec by in messages, when an `id=` entry with a valid id can be found.
    private static func idForMessages(_ text: String) -> String? {
        for piece in text.split(separator: ",") {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, trimmed(String(parts[0])) == "id" else { continue }
            let value = trimmed(String(parts[1]))
            if isWord(value), value.utf8.count <= maxIDLength { return value }
        }
        return nil
    }

    /// A value of a `CaseIterable` enum, compared without regard to ASCII case as libxl's `*_from_string` do.
    private static func choice<T: RawRepresentable & CaseIterable>(
        _ text: String?, _ cases: T.AllCases, field: String, _ invalid: (String?, String) -> Invalid
    ) throws(Invalid) -> T? where T.RawValue == String {
        guard let text else { return nil }
        if let value = cases.first(where: { ASCII.lowercased($0.rawValue) == ASCII.lowercased(text) }) { return value }
        let names = cases.map(\.rawValue)
        let expected = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "") : names.joined()
        throw invalid(field, "expected \(expected), found \(ConfigQuoting.quoted(text))")
    }

    /// Decimal digits, or `0x` and hexadecimal digits.
    private static func number(_ text: String, field: String, _ invalid: (String?, String) -> Invalid) throws(Invalid) -> UInt64 {
        let hexadecimal = text.hasPrefix("0x")
        let digits = hexadecimal ? String(text.dropFirst(2)) : text
        let radix = hexadecimal ? 16 : 10
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit && (radix == 16 || $0.isNumber) }) else {
            throw invalid(field, "expected a decimal number or 0x and hexadecimal digits, found \(ConfigQuoting.quoted(text))")
        }
        guard let value = UInt64(digits, radix: radix) else { throw invalid(field, "\(text) is larger than 2^64 - 1") }
        return value
    }

    /// Letters, digits and `_`: the fork's `[_a-zA-Z0-9]+`.
    static func isWord(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// `text` without leading and trailing ASCII white space (the fork's `\s`).
    private static func trimmed(_ text: String) -> String {
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        let bytes = Array(text.utf8)
        guard let first = bytes.firstIndex(where: { !space.contains($0) }), let last = bytes.lastIndex(where: { !space.contains($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
