// SPDX-License-Identifier: Apache-2.0
/// The fix-up tables of an overlay (`__fixups__`, `__local_fixups__`, `__symbols__`), checked
/// before libfdt's `fdt_overlay_apply` follows them: libfdt 1.6.1 reads and writes at the offsets
/// they name without bounding every one by its property.
enum OverlayFixups {
    /// Throws naming the first entry that points outside the overlay: a node or property it does
    /// not have, or an offset whose 4-byte cell does not fit in the property.
    static func check(_ tree: DeviceTree) throws(DeviceTreeError) {
        if tree.hasNode("/__fixups__") {
            for property in try tree.properties(of: "/__fixups__") {
                for cell in try PhandleReferences.fixupUses(property) {
                    try checkCell(cell, in: tree, entry: "/__fixups__: property \(property.name)")
                }
            }
        }
        let root = PhandleReferences.localFixupsRoot
        if tree.hasNode(root) {
            for fixup in try tree.nodePaths(under: root) {
                let node = PhandleReferences.node(ofLocalFixup: fixup)
                guard tree.hasNode(node) else {
                    throw DeviceTreeError("overlay node \(fixup) describes node \(node), which the overlay does not have")
                }
                for property in try tree.properties(of: fixup) {
                    guard let offsets = property.value.deviceTreeCells else {
                        throw DeviceTreeError("overlay node \(fixup): property \(property.name) is not a list of offsets")
                    }
                    for offset in offsets {
                        try checkCell(PhandleCell(node: node, property: property.name, offset: Int(offset)), in: tree, entry: "\(fixup): property \(property.name)")
                    }
                }
            }
        }
        if tree.hasNode("/__symbols__") {
            for property in try tree.properties(of: "/__symbols__") {
                guard let path = property.value.deviceTreeString, path.hasPrefix("/") else {
                    throw DeviceTreeError("overlay node /__symbols__: property \(property.name) is not an absolute path string")
                }
            }
        }
    }

    /// The phandle cell a fix-up names must lie inside an existing property.
    private static func checkCell(_ cell: PhandleCell, in tree: DeviceTree, entry: String) throws(DeviceTreeError) {
        guard tree.hasNode(cell.node) else {
            throw DeviceTreeError("overlay node \(entry) names node \(cell.node), which the overlay does not have")
        }
        guard let value = tree.property(cell.property, of: cell.node) else {
            throw DeviceTreeError("overlay node \(entry) names property \(cell.property) of \(cell.node), which that node does not have")
        }
        guard cell.offset >= 0, cell.offset <= value.count - 4 else {
            throw DeviceTreeError("overlay node \(entry) names byte offset \(cell.offset) of \(cell.node) \(cell.property), which holds \(value.count) bytes")
        }
    }
}
