// SPDX-License-Identifier: Apache-2.0
/// The `page-refs` value: decimal grant references, each followed by a comma (`8,9,10,`), as the
/// Xilinx fork writes them. Parsing is bounded: dom0 knows how many pages it needs and accepts
/// nothing else.
public enum GrantReferenceList {
    /// The text for `refs`.
    public static func format(_ refs: [UInt32]) -> String {
        refs.map { "\($0)," }.joined()
    }

    /// Exactly `count` references from `text`, or a one-line reason. A missing last comma is
    /// accepted; empty, negative, non-decimal, over-long or out-of-range tokens, repeats and any
    /// other count are not. The text is never longer than `count` references can be.
    public static func parse(_ text: [UInt8], count: Int) throws(HandoffError) -> [UInt32] {
        guard count > 0, count <= HandoffNodes.maximumPages else { throw HandoffError("\(count) pages cannot be right") }
        let limit = count * HandoffNodes.maximumReferenceText
        guard text.count <= limit else {
            throw HandoffError("page-refs is \(text.count) bytes long; \(count) references take at most \(limit)")
        }
        var tokens = text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        if tokens.last?.isEmpty == true { tokens.removeLast() }
        guard tokens.count == count else {
            throw HandoffError("page-refs holds \(tokens.count) references; the overlay takes \(count) pages")
        }
        var refs: [UInt32] = []
        refs.reserveCapacity(count)
        var seen = Set<UInt32>()
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty, token.count <= 10, token.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = UInt32(String(decoding: token, as: UTF8.self))
            else {
                let shown = token.prefix(16).map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }
                throw HandoffError("page-refs entry \(index + 1) is \"\(String(decoding: shown, as: UTF8.self))\", not a grant reference (0 to 4294967295)")
            }
            guard seen.insert(value).inserted else { throw HandoffError("page-refs names grant reference \(value) twice") }
            refs.append(value)
        }
        return refs
    }
}
