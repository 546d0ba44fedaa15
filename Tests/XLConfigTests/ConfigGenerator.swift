// SPDX-License-Identifier: Apache-2.0
/// SplitMix64: a small deterministic PRNG, so generated corpora are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates random config texts over libxlutil's grammar, then sometimes damages them, to compare both parsers.
struct ConfigGenerator {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    private static let keys = ["a", "b", "memory", "name", "irqs", "iomem", "dtdev", "x1", "a_b", "c.d", "k9", "on_crash"]
    private static let stringBytes = Array("abcXYZ019 _-./@,=;#[]'\t") .map(String.init)
        + ["\\\"", "\\'", "\\\\", "\\n", "\\t", "é", "✓"]
    private static let damage = ["-", ".", "(", "A", "\r", "\"", "'", ",", "]", "[", "=", "+", "\n", ";", "@", "$", "\\", "#", " ", "0"]

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    private mutating func space() -> String {
        chance(60) ? pick(["", " ", "  ", "\t", " \t "]) : ""
    }

    private mutating func number() -> String {
        let tail = Array("0123456789abcdefx")
        var text = String(pick(Array("0123456789")))
        if chance(30) { text = pick(["0x", "0", "1e"]) }
        for _ in 0..<Int.random(in: 0...6, using: &random) { text.append(pick(tail)) }
        return text
    }

    private mutating func string() -> String {
        let quote = chance(50) ? "\"" : "'"
        var body = ""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            var piece = pick(Self.stringBytes)
            if piece == quote { piece = "\\" + quote }
            body += piece
        }
        return quote + body + quote
    }

    private mutating func newlinesInList() -> String {
        guard chance(35) else { return space() }
        return pick(["\n", "\n\n", " # note\n", "\n  "]) + space()
    }

    private mutating func value(depth: Int) -> String {
        if depth < 3 && chance(depth == 0 ? 40 : 20) {
            let count = Int.random(in: 0...5, using: &random)
            var text = "[" + newlinesInList()
            for index in 0..<count {
                text += value(depth: depth + 1) + newlinesInList()
                if index < count - 1 || chance(30) { text += "," + newlinesInList() }
            }
            return text + "]"
        }
        return chance(50) ? number() : string()
    }

    /// One config text: statements, blank lines and comments, damaged one time in three.
    mutating func next() -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: text += pick(["\n", "# comment\n", ";\n", "   # indented\n"])
            default:
                let op = chance(20) ? "+=" : "="
                text += space() + pick(Self.keys) + space() + op + space() + value(depth: 0) + space()
                text += pick(["\n", "\n", ";", "; ", " # trailing\n", ";\n"])
            }
        }
        if chance(15), text.hasSuffix("\n") { text.removeLast() }
        if chance(33) { text = damaged(text) }
        return text
    }

    private mutating func damaged(_ text: String) -> String {
        var characters = Array(text)
        let position = Int.random(in: 0...characters.count, using: &random)
        if chance(30), position < characters.count {
            characters.remove(at: position)
        } else {
            characters.insert(contentsOf: pick(Self.damage), at: position)
        }
        return String(characters)
    }
}
