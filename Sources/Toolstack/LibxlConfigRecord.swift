// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// The configuration a domain was created with, as compact libxl JSON at `/libxl/<domid>/libxl-json`, where
/// `init-dom0less` also keeps its stubs; `xl list -l` prints it. One xenstore request carries at most 4096
/// bytes, so a longer record is split into children `0`, `1`, ... of an empty `libxl-json` node.
enum LibxlConfigRecord {
    static let name = "libxl-json"
    /// Bytes per node.
    static let partBytes = 2048
    /// Most parts read or written (128 KiB).
    static let maxParts = 64

    static func write(_ json: String, under libxlPath: String, to xenstore: any XenStore, in tx: XenStoreTransaction) throws {
        let path = "\(libxlPath)/\(name)"
        let bytes = Array(json.utf8)
        guard bytes.count > partBytes else {
            try xenstore.write(path, bytes, in: tx)
            return
        }
        let parts = stride(from: 0, to: bytes.count, by: partBytes).map { Array(bytes[$0..<min($0 + partBytes, bytes.count)]) }
        guard parts.count <= maxParts else {
            throw ToolstackError("the configuration takes \(bytes.count) bytes as JSON; at most \(partBytes * maxParts) can be recorded")
        }
        try xenstore.write(path, [], in: tx)
        for (index, part) in parts.enumerated() { try xenstore.write("\(path)/\(index)", part, in: tx) }
    }

    /// The record of a domain; nil when there is none (a domain no toolstack recorded) or it is damaged.
    static func read(under libxlPath: String, from xenstore: any XenStore) throws(XenStoreError) -> String? {
        let path = "\(libxlPath)/\(name)"
        let value: [UInt8]
        do throws(XenStoreError) { value = try xenstore.read(path, in: nil) } catch where error.errno == .ENOENT { return nil }
        guard value.isEmpty else { return String(validating: value, as: UTF8.self) }
        let children = try xenstore.directory(path, in: nil)
        guard !children.isEmpty, children.count <= maxParts, Set(children) == Set((0..<children.count).map(String.init)) else { return nil }
        var bytes: [UInt8] = []
        for index in 0..<children.count { bytes += try xenstore.read("\(path)/\(index)", in: nil) }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension LibxlConfigRecord {
    /// Replaces the record (one node or parts) with `json`, in `tx`.
    static func replace(_ json: String, under libxlPath: String, to xenstore: any XenStore, in tx: XenStoreTransaction) throws {
        let path = "\(libxlPath)/\(name)"
        if try xenstore.exists(path, in: tx) { try xenstore.remove(path, in: tx) }
        try write(json, under: libxlPath, to: xenstore, in: tx)
    }
}
