// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The guest RAM pages the simulated Xen tracks one by one: those a guest wrote and those mapped into
/// another domain. Every other RAM page reads as zero and is not stored.
///
/// Each page counts the P2M entries that point at it, its owner's own included. A page outlives its owner
/// while another domain still maps it (as Xen keeps a destroyed domain's shared pages as a zombie), and is
/// freed when the last entry goes.
public struct SimulatedMemory: Hashable, Sendable, Codable {
    /// The tracked pages by machine frame number.
    public private(set) var pages: [UInt64: SimulatedPage] = [:]
    private var nextFrame: UInt64 = Self.firstFrame

    /// Most pages tracked at once; more is `ENOMEM`.
    public static let maximumPages = 1 << 18
    /// Where the simulator's machine frame numbers start (any number would do; this one reads as host RAM).
    static let firstFrame: UInt64 = 0x80000
    /// 4 KiB.
    public static let pageSize: UInt64 = 4096

    public init() {}

    /// A new zero page at guest frame `gfn` of `owner`, referenced once (by the owner's P2M); nil when the
    /// simulator holds too many.
    mutating func allocate(owner: DomainID, gfn: UInt64) -> UInt64? {
        guard pages.count < Self.maximumPages else { return nil }
        let frame = nextFrame
        nextFrame += 1
        pages[frame] = SimulatedPage(owner: owner, gfn: gfn, references: 1)
        return frame
    }

    mutating func retain(_ frame: UInt64) { pages[frame]?.references += 1 }

    /// Drops one reference; the page is freed at zero.
    mutating func release(_ frame: UInt64) {
        guard var page = pages[frame] else { return }
        page.references -= 1
        pages[frame] = page.references == 0 ? nil : page
    }

    /// Writes `bytes` into the page at `offset` (within the page).
    mutating func write(_ frame: UInt64, at offset: Int, _ bytes: ArraySlice<UInt8>) {
        guard var page = pages[frame] else { return }
        var contents = page.bytes ?? [UInt8](repeating: 0, count: Int(Self.pageSize))
        contents.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        page.bytes = contents
        pages[frame] = page
    }

    private struct Entry: Codable {
        var frame: UInt64
        var page: SimulatedPage
    }

    private enum CodingKeys: String, CodingKey { case pages }

    /// Decodes the pages; frames are then numbered on from the highest one in use.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let entries = try container.decode([Entry].self, forKey: .pages)
        pages = Dictionary(entries.map { ($0.frame, $0.page) }, uniquingKeysWith: { first, _ in first })
        nextFrame = (pages.keys.max() ?? Self.firstFrame - 1) + 1
    }

    /// Encodes the pages sorted by frame and not the frame counter, so that the same pages always give the
    /// same bytes (tests compare host.json to show that a failed command changed nothing).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pages.sorted { $0.key < $1.key }.map { Entry(frame: $0.key, page: $0.value) }, forKey: .pages)
    }
}

/// One tracked 4 KiB page of guest RAM.
public struct SimulatedPage: Hashable, Sendable, Codable {
    /// The domain whose RAM it is; it may have been destroyed while others still map the page.
    public var owner: DomainID
    /// Where it is in the owner's RAM.
    public var gfn: UInt64
    /// P2M entries pointing at the page, the owner's own included.
    public var references: UInt32
    /// The contents; nil while the page is all zero.
    @OptionalBase64Bytes public var bytes: [UInt8]?
}
