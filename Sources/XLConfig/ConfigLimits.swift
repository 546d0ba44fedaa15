// SPDX-License-Identifier: Apache-2.0
/// Upper bounds the parser enforces, since `xl` runs as root on files it did not write.
public struct ConfigLimits: Hashable, Sendable {
    /// Largest accepted source, in bytes.
    public var maxBytes: Int
    /// Deepest accepted list nesting (`[ [ ] ]` is depth 2).
    public var maxNesting: Int
    /// Most items accepted in one list, after `+=` joins.
    public var maxListItems: Int
    /// Most statements accepted in one source.
    public var maxSettings: Int

    public init(maxBytes: Int, maxNesting: Int, maxListItems: Int, maxSettings: Int) {
        self.maxBytes = maxBytes
        self.maxNesting = maxNesting
        self.maxListItems = maxListItems
        self.maxSettings = maxSettings
    }

    /// 1 MiB, nesting 16, 4096 items per list, 4096 statements: far above any real `xl.cfg`.
    public static let standard = ConfigLimits(maxBytes: 1 << 20, maxNesting: 16, maxListItems: 4096, maxSettings: 4096)
}
