/// ASCII-only text helpers, matching C's `strcasecmp` rather than Unicode case mapping.
enum ASCII {
    /// `text` with only `A`–`Z` lowered.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
