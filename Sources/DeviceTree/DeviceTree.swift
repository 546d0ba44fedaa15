// SPDX-License-Identifier: Apache-2.0
import XenSys

/// A checked flattened device tree, addressed by node path (`/soc/serial@9000000`).
public struct DeviceTree: Sendable {
    /// The libfdt view of the blob.
    public private(set) var fdt: FDT {
        didSet { index = NodeIndex(fdt) }
    }
    /// Offsets by path and paths by phandle, rebuilt after every change.
    private var index: NodeIndex

    /// The blob, exactly `totalsize` bytes.
    public var bytes: [UInt8] { fdt.bytes }

    /// Checks `bytes` fully (`fdt_check_full`); `totalsize` must equal the number of bytes.
    public init(validating bytes: [UInt8]) throws(DeviceTreeError) {
        guard FDT.magic(bytes) == FDT.magicValue else {
            throw DeviceTreeError("not a flattened device tree (bad magic number)")
        }
        guard let total = FDT.totalSize(bytes), Int(total) == bytes.count else {
            throw DeviceTreeError("the header's totalsize (\(FDT.totalSize(bytes) ?? 0) bytes) differs from the blob's size (\(bytes.count) bytes)")
        }
        do {
            try FDT.checkFull(bytes)
        } catch {
            throw DeviceTreeError("not a valid flattened device tree: \(error.detail ?? error.name)", fdt: error)
        }
        self.fdt = FDT(unchecked: bytes)
        self.index = NodeIndex(fdt)
    }

    /// A tree with only an empty root node.
    public static func empty() throws(DeviceTreeError) -> DeviceTree {
        do { return DeviceTree(unchecked: try FDT.empty()) } catch { throw DeviceTreeError("cannot create a device tree: \(error)", fdt: error) }
    }

    init(unchecked fdt: FDT) {
        self.fdt = fdt
        self.index = NodeIndex(fdt)
    }

    // MARK: Reading

    /// Whether the node exists.
    public func hasNode(_ path: String) -> Bool { lookup(path) != nil }

    /// The names of a node's children, in blob order.
    public func children(of path: String) throws(DeviceTreeError) -> [String] {
        let offset = try offset(path)
        return try wrap(path) { () throws(FDTError) in try fdt.subnodes(of: offset).map { (o) throws(FDTError) in try fdt.name(at: o) } }
    }

    /// A node's properties, in blob order.
    public func properties(of path: String) throws(DeviceTreeError) -> [DeviceTreeProperty] {
        let offset = try offset(path)
        return try wrap(path) { () throws(FDTError) in try fdt.properties(at: offset).map { DeviceTreeProperty(name: $0.name, value: $0.value) } }
    }

    /// One property's raw value; `nil` when the node or the property is missing.
    public func property(_ name: String, of path: String) -> [UInt8]? {
        guard let offset = lookup(path) else { return nil }
        return (try? fdt.property(name, at: offset)) ?? nil
    }

    /// Every node path, parents before children, in blob order (one linear walk, no recursion).
    public func nodePaths(under root: String = "/") throws(DeviceTreeError) -> [String] {
        let offset = try offset(root)
        return try wrap(root) { () throws(FDTError) in try fdt.nodes(under: offset, path: root).map(\.path) }
    }

    /// The node's `phandle`; `nil` when it has none.
    public func phandle(of path: String) -> UInt32? {
        guard let offset = lookup(path) else { return nil }
        let value = fdt.phandle(at: offset)
        return value == 0 ? nil : value
    }

    /// The path of the node with this phandle; `nil` when there is none.
    public func path(ofPhandle phandle: UInt32) -> String? {
        if let path = index.phandles[phandle] { return path }
        guard let offset = (try? fdt.offset(ofPhandle: phandle)) ?? nil else { return nil }
        return try? fdt.path(at: offset)
    }

    // MARK: Changing

    /// Sets a property, creating it when missing.
    public mutating func setProperty(_ name: String, _ value: [UInt8], at path: String) throws(DeviceTreeError) {
        let offset = try offset(path)
        try wrap(path) { () throws(FDTError) in try fdt.setProperty(name, value, at: offset) }
    }

    /// Removes a property.
    public mutating func removeProperty(_ name: String, at path: String) throws(DeviceTreeError) {
        let offset = try offset(path)
        try wrap(path) { () throws(FDTError) in try fdt.deleteProperty(name, at: offset) }
    }

    /// Adds an empty node; its parent must exist.
    public mutating func addNode(_ path: String) throws(DeviceTreeError) {
        let (parent, name) = DeviceTree.split(path)
        let offset = try offset(parent)
        try wrap(path) { () throws(FDTError) in _ = try fdt.addSubnode(name, to: offset) }
    }

    /// Removes a node and everything below it.
    public mutating func removeNode(_ path: String) throws(DeviceTreeError) {
        let offset = try offset(path)
        try wrap(path) { () throws(FDTError) in try fdt.deleteNode(at: offset) }
    }

    /// This tree with `overlay` applied by libfdt (`fdt_overlay_apply`); `self` is unchanged.
    ///
    /// The overlay's fix-up tables are checked first (``OverlayFixups``), so libfdt never follows
    /// an offset outside a property.
    public func applying(_ overlay: DeviceTree) throws(DeviceTreeError) -> DeviceTree {
        try OverlayFixups.check(overlay)
        var merged = fdt
        do {
            try merged.apply(overlay: overlay.fdt)
        } catch {
            throw DeviceTreeError("libfdt cannot apply the overlay: \(error.name)", fdt: error)
        }
        return DeviceTree(unchecked: merged)
    }

    // MARK: Paths

    /// `parent` + `/` + `child`, without doubling the root's slash.
    public static func join(_ parent: String, _ child: String) -> String {
        parent == "/" ? "/" + child : parent + "/" + child
    }

    /// The parent path and the last component.
    public static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("/", path) }
        let parent = String(path[..<slash])
        return (parent.isEmpty ? "/" : parent, String(path[path.index(after: slash)...]))
    }

    /// The node's offset: from the index for a path as ``nodePaths(under:)`` spells it, else from
    /// libfdt (aliases, names without their unit address); `nil` when there is no such node.
    private func lookup(_ path: String) -> Int32? {
        if let offset = index.offsets[path] { return offset }
        return (try? fdt.offset(ofPath: path)) ?? nil
    }

    private func offset(_ path: String) throws(DeviceTreeError) -> Int32 {
        if let offset = index.offsets[path] { return offset }
        do {
            guard let offset = try fdt.offset(ofPath: path) else { throw DeviceTreeError("node \(path) does not exist") }
            return offset
        } catch let error as DeviceTreeError {
            throw error
        } catch {
            throw DeviceTreeError("bad node path \(path): \(error)")
        }
    }

    private func wrap<T>(_ path: String, _ body: () throws(FDTError) -> T) throws(DeviceTreeError) -> T {
        do { return try body() } catch { throw DeviceTreeError("node \(path): \(error.function) failed: \(error.name)", fdt: error) }
    }
}
