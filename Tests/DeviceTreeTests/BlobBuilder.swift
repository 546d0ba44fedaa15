// SPDX-License-Identifier: Apache-2.0
/// Writes flattened device trees token by token, so tests can build blobs dtc never would.
struct BlobBuilder {
    /// One structure-block item.
    enum Token {
        case begin(String)
        case end
        case property(String, [UInt8])
        /// A property token with a length and strings offset of the test's choosing, then `value`.
        case rawProperty(length: UInt32, nameOffset: UInt32, value: [UInt8])
        case nop
        case word(UInt32)
    }

    var tokens: [Token]
    var version: UInt32 = 17
    var lastCompatible: UInt32 = 16
    var reservations: [UInt8] = [UInt8](repeating: 0, count: 16)
    var finish = true

    init(_ tokens: [Token]) { self.tokens = tokens }

    /// The blob: header, reservation map, structure block (ended by `FDT_END` when `finish`), strings.
    func build() -> [UInt8] {
        var strings: [UInt8] = []
        var offsets: [String: Int] = [:]
        func name(_ text: String) -> UInt32 {
            if let offset = offsets[text] { return UInt32(offset) }
            offsets[text] = strings.count
            strings += Array(text.utf8) + [0]
            return UInt32(offsets[text]!)
        }
        var block: [UInt8] = []
        func pad() { while block.count % 4 != 0 { block.append(0) } }
        for token in tokens {
            switch token {
            case .begin(let text):
                block += Self.word(1) + Array(text.utf8) + [0]
                pad()
            case .end:
                block += Self.word(2)
            case .property(let text, let value):
                block += Self.word(3) + Self.word(UInt32(value.count)) + Self.word(name(text)) + value
                pad()
            case .rawProperty(let length, let nameOffset, let value):
                block += Self.word(3) + Self.word(length) + Self.word(nameOffset) + value
                pad()
            case .nop:
                block += Self.word(4)
            case .word(let value):
                block += Self.word(value)
            }
        }
        if finish { block += Self.word(9) }
        let structAt = 40 + reservations.count
        let stringsAt = structAt + block.count
        let total = stringsAt + strings.count
        let header = [0xd00d_feed, UInt32(total), UInt32(structAt), UInt32(stringsAt), 40, version, lastCompatible, 0,
                      UInt32(strings.count), UInt32(block.count)].flatMap(Self.word)
        return header + reservations + block + strings
    }

    static func word(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
