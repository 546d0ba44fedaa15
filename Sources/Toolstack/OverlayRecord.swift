// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenStoreClient
import XenTypes

/// An overlay added on this host, as recorded in xenstore under `/libxl/dt-overlay/<key>`.
///
/// The record is committed before each hypercall with the operation under way (``pending``) and
/// again after it, so it exists whenever Xen may hold the overlay: one whose `pending` is set
/// belongs to an `xl` that was stopped in between, and `xl dt-overlay remove` finishes it.
/// xenstore itself starts empty when the host boots, as Xen's tracker does.
public struct OverlayRecord: Hashable, Sendable, Codable {
    /// An operation whose hypercall may or may not have reached Xen.
    public enum Operation: String, Hashable, Sendable, Codable {
        case add, attach, remove
    }

    /// The content key: FNV-1a 64 of the blob and its size. Xen matches overlays by bytes, so do we.
    public var key: String
    /// The file the overlay was added from, as given.
    public var file: String
    public var size: Int
    /// Full paths of the nodes the overlay added to Xen's device tree.
    public var nodes: [String]
    /// The domain the devices were attached to, if any.
    public var domain: DomainID?
    /// The GIC interrupts and MMIO ranges of the added nodes.
    public var irqs: [UInt32]
    public var mmio: [MMIORange]
    /// The operation under way, `nil` once Xen answered and the record was updated; `domain` is
    /// then the target of an `attach`.
    public var pending: Operation?

    /// The xenstore directory of all records.
    public static let root = "/libxl/dt-overlay"

    /// The record key for a blob.
    public static func key(for blob: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in blob { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(blob.count)
    }

    /// Writes the record and makes the registry readable and writable by dom0 only.
    func write(to xenstore: any XenStore, in tx: XenStoreTransaction) throws(XenStoreError) {
        let base = Self.root + "/" + key
        try xenstore.write(base + "/file", string: file, in: tx)
        try xenstore.write(base + "/size", string: String(size), in: tx)
        try Self.writeList(nodes, at: base + "/nodes", to: xenstore, in: tx)
        try Self.writeList(irqs.map(String.init), at: base + "/irqs", to: xenstore, in: tx)
        try Self.writeList(mmio.map(\.description), at: base + "/mmio", to: xenstore, in: tx)
        if let domain {
            try xenstore.write(base + "/domain", string: String(domain.rawValue), in: tx)
        } else {
            try xenstore.remove(base + "/domain", in: tx)
        }
        if let pending {
            try xenstore.write(base + "/pending", string: pending.rawValue, in: tx)
        } else {
            try xenstore.remove(base + "/pending", in: tx)
        }
        try xenstore.setPermissions(Self.root, [XenStorePermission(.none, .dom0)], in: tx)
    }

    /// Reads one record; `nil` when there is none for `key`.
    static func read(_ key: String, from xenstore: any XenStore, in tx: XenStoreTransaction? = nil) throws -> OverlayRecord? {
        let base = root + "/" + key
        guard let file = try xenstore.readString(base + "/file", in: tx) else { return nil }
        func field(_ name: String) throws -> String { try xenstore.readString(base + "/" + name, in: tx) ?? "" }
        func corrupt(_ name: String) -> ToolstackError {
            ToolstackError("xenstore record \(base)/\(name) is malformed; remove \(base) by hand if Xen no longer has this overlay")
        }
        guard let size = Int(try field("size")), (1...Self.maximumSize).contains(size) else { throw corrupt("size") }
        func list(_ name: String) throws -> [Substring] {
            guard let words = try readList(at: base + "/" + name, from: xenstore, in: tx) else { throw corrupt(name) }
            return words
        }
        let nodes = try list("nodes").map(String.init)
        guard nodes.count <= Self.maximumSize, nodes.allSatisfy({ $0.hasPrefix("/") }) else { throw corrupt("nodes") }
        var irqs: [UInt32] = []
        for word in try list("irqs") {
            guard let irq = UInt32(word) else { throw corrupt("irqs") }
            irqs.append(irq)
        }
        var mmio: [MMIORange] = []
        for word in try list("mmio") {
            guard let range = MMIORange(recorded: String(word)) else { throw corrupt("mmio") }
            mmio.append(range)
        }
        var domain: DomainID?
        if let text = try xenstore.readString(base + "/domain", in: tx) {
            guard let id = UInt16(text) else { throw corrupt("domain") }
            domain = DomainID(id)
        }
        var pending: Operation?
        if let text = try xenstore.readString(base + "/pending", in: tx) {
            guard let operation = Operation(rawValue: text) else { throw corrupt("pending") }
            pending = operation
        }
        return OverlayRecord(key: key, file: file, size: size, nodes: nodes, domain: domain, irqs: irqs, mmio: mmio, pending: pending)
    }

    /// The longest value a record puts in one node. xenstored takes at most 4096 bytes a request
    /// (`XENSTORE_PAYLOAD_MAX`), the path included; a longer list goes into numbered children.
    static let chunkBytes = 2048

    /// Writes space-separated `words` at `path`: in the node itself when they fit in ``chunkBytes``, else in its
    /// children `0`, `1`, ... with the node left empty. Chunks of an earlier, longer list are removed.
    private static func writeList(_ words: [String], at path: String, to xenstore: any XenStore, in tx: XenStoreTransaction) throws(XenStoreError) {
        var chunks: [String] = []
        var current = ""
        for word in words {
            if !current.isEmpty, current.utf8.count + 1 + word.utf8.count > chunkBytes {
                chunks.append(current)
                current = ""
            }
            current += current.isEmpty ? word : " " + word
        }
        if !current.isEmpty { chunks.append(current) }
        try xenstore.remove(path, in: tx)
        guard chunks.count > 1 else {
            try xenstore.write(path, string: chunks.first ?? "", in: tx)
            return
        }
        try xenstore.write(path, string: "", in: tx)
        for (index, chunk) in chunks.enumerated() { try xenstore.write(path + "/" + String(index), string: chunk, in: tx) }
    }

    /// The words of a list ``writeList(_:at:to:in:)`` wrote; `nil` when its children are not `0`, `1`, ... in
    /// order, or more than a record of Xen's largest overlay could need.
    private static func readList(at path: String, from xenstore: any XenStore, in tx: XenStoreTransaction?) throws -> [Substring]? {
        let children = try xenstore.children(path, in: tx)
        guard !children.isEmpty else { return (try xenstore.readString(path, in: tx) ?? "").split(separator: " ") }
        guard children.count <= maximumSize / chunkBytes * 64, Set(children) == Set((0..<children.count).map(String.init)) else { return nil }
        var words: [Substring] = []
        for index in 0..<children.count {
            words += (try xenstore.readString(path + "/" + String(index), in: tx) ?? "").split(separator: " ")
        }
        return words
    }

    /// Every record, in key order.
    static func all(from xenstore: any XenStore) throws -> [OverlayRecord] {
        try xenstore.children(root).sorted().compactMap { try read($0, from: xenstore) }
    }

    /// Removes a record, then the registry directory and `/libxl` when they are left empty (writing a record
    /// creates them), so that a refused or undone add leaves xenstore as it was.
    static func remove(_ key: String, from xenstore: any XenStore, in tx: XenStoreTransaction) throws(XenStoreError) {
        try xenstore.remove(root + "/" + key, pruningUpTo: "/libxl", in: tx)
    }

    /// Replaces the record for `key` with `record` (or removes it when `nil`), in one transaction that
    /// first checks the record is still `expected`; throws ``Changed`` when another `xl` changed it.
    static func replace(
        _ key: String, expecting expected: OverlayRecord?, with record: OverlayRecord?, in xenstore: any XenStore
    ) throws {
        try xenstore.transaction { tx in
            guard try read(key, from: xenstore, in: tx) == expected else { throw Changed() }
            if let record { try record.write(to: xenstore, in: tx) } else { try remove(key, from: xenstore, in: tx) }
        }
    }

    /// The record was changed by someone else between the read and the update.
    struct Changed: Error {}

    /// Xen's overlay size limit, which also bounds every count read back.
    static let maximumSize = 512_000
}

extension MMIORange {
    /// Parses the recorded form `0x9010000+0x1000`.
    init?(recorded text: String) {
        let parts = text.split(separator: "+")
        guard parts.count == 2, parts[0].hasPrefix("0x"), parts[1].hasPrefix("0x"),
            let address = UInt64(parts[0].dropFirst(2), radix: 16), let size = UInt64(parts[1].dropFirst(2), radix: 16)
        else { return nil }
        self.init(address: address, size: size)
    }
}
