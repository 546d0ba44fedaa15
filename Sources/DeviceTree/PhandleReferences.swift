// SPDX-License-Identifier: Apache-2.0
/// Where the phandle cells of an overlay point: at host nodes (a `__fixups__` label, or a literal
/// phandle no overlay node has) or at nodes the overlay itself adds (a `__local_fixups__` entry).
struct PhandleReferences {
    /// What one phandle cell refers to.
    enum Target: Equatable {
        /// A host node, by `__fixups__` label or, with `nil`, by a literal phandle.
        case host(label: String?)
        /// A node of the overlay, by path.
        case local(path: String)
    }

    static let localFixupsRoot = "/__local_fixups__"

    /// Unresolved references: the cell and the label dtc left for it.
    private var fixups: [PhandleCell: String] = [:]
    /// Cells holding the phandle of an overlay node.
    private var localCells: Set<PhandleCell> = []
    /// The phandles the overlay's own nodes carry, with their paths.
    private var phandles: [UInt32: String] = [:]

    init(_ tree: DeviceTree) throws(DeviceTreeError) {
        for child in try tree.children(of: "/") where child != "__fixups__" && child != "__local_fixups__" && child != "__symbols__" {
            for path in try tree.nodePaths(under: "/" + child) {
                if let phandle = tree.phandle(of: path) { phandles[phandle] = path }
            }
        }
        if tree.hasNode("/__fixups__") {
            for property in try tree.properties(of: "/__fixups__") {
                for cell in try Self.fixupUses(property) { fixups[cell] = property.name }
            }
        }
        guard tree.hasNode(Self.localFixupsRoot) else { return }
        for fixup in try tree.nodePaths(under: Self.localFixupsRoot) {
            let node = Self.node(ofLocalFixup: fixup)
            for property in try tree.properties(of: fixup) {
                guard let offsets = property.value.deviceTreeCells else {
                    throw DeviceTreeError("overlay node \(fixup): property \(property.name) is not a list of offsets")
                }
                for offset in offsets {
                    guard offset % 4 == 0, let value = tree.property(property.name, of: node), Int(offset) + 4 <= value.count else {
                        throw DeviceTreeError("overlay node \(fixup): property \(property.name) names offset \(offset), which \(node) does not have")
                    }
                    localCells.insert(PhandleCell(node: node, property: property.name, offset: Int(offset)))
                }
            }
        }
    }

    /// What the cell holding `value` refers to; throws for a literal phandle of an overlay node,
    /// which applying the overlay would leave pointing at the wrong node.
    func classify(_ cell: PhandleCell, value: UInt32) throws(DeviceTreeError) -> Target {
        if let label = fixups[cell] { return .host(label: label) }
        if localCells.contains(cell) {
            guard let path = phandles[value] else {
                throw DeviceTreeError("overlay node \(cell.node): property \(cell.property) refers at byte offset \(cell.offset) to phandle 0x\(String(value, radix: 16)), which no node of the overlay has")
            }
            return .local(path: path)
        }
        if let path = phandles[value] {
            throw DeviceTreeError("overlay node \(cell.node): property \(cell.property) refers to overlay node \(path) by its literal phandle 0x\(String(value, radix: 16)) without a __local_fixups__ entry; applying the overlay renumbers the node but not the reference, so refer to it by label (<&label>)")
        }
        return .host(label: nil)
    }

    /// `#interrupt-cells` of an interrupt controller the overlay adds, which `cell` refers to.
    func interruptCells(of controller: String, in tree: DeviceTree, for cell: PhandleCell) throws(DeviceTreeError) -> Int {
        guard tree.property("interrupt-controller", of: controller) != nil,
            let cells = tree.property("#interrupt-cells", of: controller)?.deviceTreeCells, cells.count == 1, (1...8).contains(cells[0])
        else {
            throw DeviceTreeError("overlay node \(cell.node): property \(cell.property) refers to overlay node \(controller), which is not an interrupt controller with #interrupt-cells")
        }
        return Int(cells[0])
    }

    /// The uses a `__fixups__` property lists, each `node:property:offset`.
    static func fixupUses(_ property: DeviceTreeProperty) throws(DeviceTreeError) -> [PhandleCell] {
        guard let uses = property.value.deviceTreeStrings else {
            throw DeviceTreeError("overlay node /__fixups__: property \(property.name) is not a list of strings")
        }
        var result: [PhandleCell] = []
        for use in uses {
            let parts = use.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let offset = Int(parts[2]), offset >= 0 else {
                throw DeviceTreeError("overlay node /__fixups__: property \(property.name) has \"\(use)\", not node:property:offset")
            }
            result.append(PhandleCell(node: parts[0], property: parts[1], offset: offset))
        }
        return result
    }

    /// The overlay node a `__local_fixups__` node describes.
    static func node(ofLocalFixup fixup: String) -> String {
        fixup == localFixupsRoot ? "/" : String(fixup.dropFirst(localFixupsRoot.count))
    }
}
