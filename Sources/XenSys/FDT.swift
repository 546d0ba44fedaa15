// SPDX-License-Identifier: Apache-2.0
import CFdt

/// A flattened device tree blob and the libfdt calls on it; every libfdt error becomes an ``FDTError``.
///
/// Offsets are libfdt node or property offsets, valid until the blob changes.
public struct FDT: Sendable {
    /// The blob, exactly `totalsize` bytes long after every mutation.
    public private(set) var bytes: [UInt8]

    /// Takes `bytes` as they are; call ``checkFull(_:)`` first for untrusted input.
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// An empty tree with only the root node (`fdt_create_empty_tree`).
    public static func empty() throws(FDTError) -> FDT {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let rc = buffer.withUnsafeMutableBytes { fdt_create_empty_tree($0.baseAddress, Int32($0.count)) }
        try FDTError.check(rc, "fdt_create_empty_tree")
        var tree = FDT(unchecked: buffer)
        try tree.pack()
        return tree
    }

    // MARK: Header

    /// The magic word (`fdt_magic`); `nil` when there are fewer than 40 bytes.
    public static func magic(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= headerSize else { return nil }
        return bytes.withUnsafeBytes { xlfdt_magic($0.baseAddress) }
    }

    /// The header's `totalsize` (`fdt_totalsize`); `nil` when there are fewer than 40 bytes.
    public static func totalSize(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= headerSize else { return nil }
        return bytes.withUnsafeBytes { xlfdt_totalsize($0.baseAddress) }
    }

    /// `FDT_MAGIC`.
    public static let magicValue: UInt32 = 0xd00d_feed
    /// The size of the FDT header.
    public static let headerSize = 40

    /// Checks the header and the whole structure block: first in Swift (``FDTStructureCheck``),
    /// so that libfdt never sees a blob it could trip on, then with `fdt_check_full`.
    public static func checkFull(_ bytes: [UInt8]) throws(FDTError) {
        try FDTStructureCheck.check(bytes)
        let header = bytes.withUnsafeBytes { fdt_check_header($0.baseAddress) }
        try FDTError.check(header, "fdt_check_header")
        let rc = bytes.withUnsafeBytes { fdt_check_full($0.baseAddress, $0.count) }
        try FDTError.check(rc, "fdt_check_full")
    }

    // MARK: Nodes

    /// Every node below `offset` (itself included) with its path, parents before children, in blob
    /// order; one linear walk with `fdt_next_node`, no recursion.
    public func nodes(under offset: Int32, path: String) throws(FDTError) -> [(offset: Int32, path: String)] {
        var result: [(offset: Int32, path: String)] = [(offset, path)]
        var stack = [path]
        var depth: Int32 = 0
        var current = offset
        while true {
            current = bytes.withUnsafeBytes { fdt_next_node($0.baseAddress, current, &depth) }
            if current < 0 || depth <= 0 { break }
            let name = try self.name(at: current)
            guard Int(depth) <= stack.count else { throw FDTError(code: FDTError.badStructure, function: "fdt_next_node") }
            stack.removeSubrange(Int(depth)...)
            let parent = stack[stack.count - 1]
            let child = parent == "/" ? "/" + name : parent + "/" + name
            stack.append(child)
            result.append((current, child))
        }
        if current < 0, current != -FDT_ERR_NOTFOUND { try FDTError.check(current, "fdt_next_node") }
        return result
    }

    /// `fdt_path_offset`; `nil` when the path does not exist.
    public func offset(ofPath path: String) throws(FDTError) -> Int32? {
        let rc = bytes.withUnsafeBytes { fdt_path_offset($0.baseAddress, path) }
        if rc == -FDT_ERR_NOTFOUND { return nil }
        try FDTError.check(rc, "fdt_path_offset", path: path)
        return rc
    }

    /// `fdt_get_name`.
    public func name(at offset: Int32) throws(FDTError) -> String {
        var length: Int32 = 0
        let name: String? = bytes.withUnsafeBytes { raw in
            guard let p = fdt_get_name(raw.baseAddress, offset, &length) else { return nil }
            return String(cString: p)
        }
        guard let name else { throw FDTError(code: length, function: "fdt_get_name") }
        return name
    }

    /// `fdt_get_path`.
    public func path(at offset: Int32) throws(FDTError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = bytes.withUnsafeBytes { fdt_get_path($0.baseAddress, offset, &buffer, Int32(buffer.count)) }
        try FDTError.check(rc, "fdt_get_path")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `fdt_parent_offset`; `nil` for the root.
    public func parent(of offset: Int32) throws(FDTError) -> Int32? {
        if offset == 0 { return nil }
        let rc = bytes.withUnsafeBytes { fdt_parent_offset($0.baseAddress, offset) }
        try FDTError.check(rc, "fdt_parent_offset")
        return rc
    }

    /// The direct children of a node, in blob order (`fdt_first_subnode`/`fdt_next_subnode`).
    public func subnodes(of offset: Int32) throws(FDTError) -> [Int32] {
        var result: [Int32] = []
        var child = bytes.withUnsafeBytes { fdt_first_subnode($0.baseAddress, offset) }
        while child >= 0 {
            result.append(child)
            let current = child
            child = bytes.withUnsafeBytes { fdt_next_subnode($0.baseAddress, current) }
        }
        if child != -FDT_ERR_NOTFOUND { try FDTError.check(child, "fdt_next_subnode") }
        return result
    }

    /// `fdt_get_phandle`; 0 when the node has none.
    public func phandle(at offset: Int32) -> UInt32 {
        bytes.withUnsafeBytes { fdt_get_phandle($0.baseAddress, offset) }
    }

    /// `fdt_node_offset_by_phandle`; `nil` when no node has it.
    public func offset(ofPhandle phandle: UInt32) throws(FDTError) -> Int32? {
        let rc = bytes.withUnsafeBytes { fdt_node_offset_by_phandle($0.baseAddress, phandle) }
        if rc == -FDT_ERR_NOTFOUND { return nil }
        try FDTError.check(rc, "fdt_node_offset_by_phandle")
        return rc
    }

    // MARK: Properties

    /// Every property of a node, in blob order, as name and value.
    public func properties(at offset: Int32) throws(FDTError) -> [(name: String, value: [UInt8])] {
        var result: [(name: String, value: [UInt8])] = []
        var property = bytes.withUnsafeBytes { fdt_first_property_offset($0.baseAddress, offset) }
        while property >= 0 {
            let current = property
            var length: Int32 = 0
            var namePointer: UnsafePointer<CChar>?
            let value: [UInt8]? = bytes.withUnsafeBytes { raw in
                guard let p = fdt_getprop_by_offset(raw.baseAddress, current, &namePointer, &length) else { return nil }
                return FDT.value(p, length, in: raw)
            }
            guard let value, let namePointer else { throw FDTError(code: length < 0 ? length : FDTError.badStructure, function: "fdt_getprop_by_offset") }
            result.append((String(cString: namePointer), value))
            property = bytes.withUnsafeBytes { fdt_next_property_offset($0.baseAddress, current) }
        }
        if property != -FDT_ERR_NOTFOUND { try FDTError.check(property, "fdt_next_property_offset") }
        return result
    }

    /// `fdt_getprop`; `nil` when the node has no such property.
    public func property(_ name: String, at offset: Int32) throws(FDTError) -> [UInt8]? {
        var length: Int32 = 0
        let value: [UInt8]? = bytes.withUnsafeBytes { raw in
            guard let p = fdt_getprop(raw.baseAddress, offset, name, &length) else { return nil }
            return FDT.value(p, length, in: raw)
        }
        if value == nil, length != -FDT_ERR_NOTFOUND { throw FDTError(code: length < 0 ? length : FDTError.badStructure, function: "fdt_getprop", path: name) }
        return value
    }

    /// A property value libfdt points at, copied only when it lies wholly inside the blob.
    private static func value(_ pointer: UnsafeRawPointer, _ length: Int32, in blob: UnsafeRawBufferPointer) -> [UInt8]? {
        guard length >= 0, let base = blob.baseAddress, pointer >= base else { return nil }
        let start = pointer - base
        guard start <= blob.count, Int(length) <= blob.count - start else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
    }

    // MARK: Changes

    /// `fdt_setprop`.
    public mutating func setProperty(_ name: String, _ value: [UInt8], at offset: Int32) throws(FDTError) {
        try growing("fdt_setprop") { fdt, size in
            value.withUnsafeBytes { fdt_setprop(fdt, offset, name, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// `fdt_delprop`.
    public mutating func deleteProperty(_ name: String, at offset: Int32) throws(FDTError) {
        try growing("fdt_delprop") { fdt, _ in fdt_delprop(fdt, offset, name) }
    }

    /// `fdt_add_subnode`; returns the new node's offset.
    @discardableResult
    public mutating func addSubnode(_ name: String, to parent: Int32) throws(FDTError) -> Int32 {
        var offset: Int32 = 0
        try growing("fdt_add_subnode") { fdt, _ in
            let rc = fdt_add_subnode(fdt, parent, name)
            offset = rc
            return rc
        }
        return offset
    }

    /// `fdt_del_node`.
    public mutating func deleteNode(at offset: Int32) throws(FDTError) {
        try growing("fdt_del_node") { fdt, _ in fdt_del_node(fdt, offset) }
    }

    /// Applies `overlay` to this tree (`fdt_overlay_apply` on copies, then `fdt_pack`).
    ///
    /// libfdt consumes the overlay, so a copy is used and the caller's overlay is untouched.
    public mutating func apply(overlay: FDT) throws(FDTError) {
        let room = overlay.bytes.count * 2 + 4096
        var base = try opened(extra: room)
        var consumed = try overlay.opened(extra: 0)
        let rc = base.withUnsafeMutableBytes { b in
            consumed.withUnsafeMutableBytes { o in fdt_overlay_apply(b.baseAddress, o.baseAddress) }
        }
        try FDTError.check(rc, "fdt_overlay_apply")
        bytes = base
        try pack()
    }

    /// `fdt_pack`, then trims the array to `totalsize`.
    public mutating func pack() throws(FDTError) {
        let rc = bytes.withUnsafeMutableBytes { fdt_pack($0.baseAddress) }
        try FDTError.check(rc, "fdt_pack")
        if let size = FDT.totalSize(bytes) { bytes.removeSubrange(Int(size)...) }
    }

    /// A copy of the blob opened into a buffer `extra` bytes larger (`fdt_open_into`).
    private func opened(extra: Int) throws(FDTError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: bytes.count + extra)
        let rc = bytes.withUnsafeBytes { src in
            buffer.withUnsafeMutableBytes { fdt_open_into(src.baseAddress, $0.baseAddress, Int32($0.count)) }
        }
        try FDTError.check(rc, "fdt_open_into")
        return buffer
    }

    /// Runs a libfdt write, doubling the free space on `FDT_ERR_NOSPACE` (up to 16 MiB), then packs.
    private mutating func growing(_ function: String, _ body: (UnsafeMutableRawPointer?, Int32) -> Int32) throws(FDTError) {
        var extra = 1024
        while true {
            var buffer = try opened(extra: extra)
            let rc = buffer.withUnsafeMutableBytes { body($0.baseAddress, Int32($0.count)) }
            if rc == -FDT_ERR_NOSPACE, buffer.count < FDT.maximumSize {
                extra *= 2
                continue
            }
            try FDTError.check(rc, function)
            bytes = buffer
            try pack()
            return
        }
    }

    /// The largest blob this wrapper grows a tree to.
    public static let maximumSize = 16 << 20
}
