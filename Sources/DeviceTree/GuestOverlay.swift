/// Normal mode's domU copy of an overlay: every fragment at the guest root, every interrupt at the guest GIC.
///
/// Xen gives overlay devices to a domain 1:1 (IPA = PA, vIRQ = pIRQ), so `reg` and `interrupts`
/// stay valid; what changes is where the nodes go and who their interrupt controller is. The
/// rewrite works on a copy and leaves the result consistent:
/// - every fragment gets `target-path = "/"` and loses `target`;
/// - every `interrupt-parent` in the added subtrees (at any depth) and the phandle of every
///   `interrupts-extended` entry become the guest GIC's phandle 65000 (0xfde8); `iommus` is
///   dropped (Xen programs the IOMMU, the guest has none); `interrupt-map` is refused;
/// - `__fixups__` entries for the phandles replaced or dropped go away, any other entry is refused
///   (the guest has no `__symbols__` to resolve it against, so Linux would refuse the overlay);
/// - `__local_fixups__` entries for replaced phandles go away (they would shift 0xfde8), the rest stay;
/// - `__symbols__` is removed (Linux refuses overlay symbols when the live tree has none, and
///   libxl's guest trees have none).
public enum GuestOverlay {
    /// `GUEST_PHANDLE_GIC`: the phandle libxl and dom0less give the guest's GIC.
    public static let gicPhandle: UInt32 = 65000

    /// Cells per `interrupts-extended` entry: the phandle and the guest GIC's three interrupt cells.
    static let extendedEntryCells = 4

    /// The domU's copy of `overlay`; throws naming the node and property it cannot translate.
    public static func rewrite(_ overlay: Overlay) throws(DeviceTreeError) -> DeviceTree {
        var tree = overlay.tree
        var handled = HandledPhandles()
        for fragment in overlay.fragments {
            let path = "/" + fragment.name
            if tree.property("target", of: path) != nil {
                try tree.removeProperty("target", at: path)
                handled.cells.insert(PhandleCell(node: path, property: "target", offset: 0))
            }
            try tree.setProperty("target-path", .deviceTreeStrings(["/"]), at: path)
            for node in try tree.nodePaths(under: path + "/__overlay__") {
                try retarget(node, in: &tree, handled: &handled)
            }
        }
        try dropFixups(in: &tree, handled: handled)
        try dropLocalFixups(in: &tree, handled: handled)
        if tree.hasNode("/__symbols__") { try tree.removeNode("/__symbols__") }
        do {
            return try DeviceTree(validating: tree.bytes)
        } catch {
            throw DeviceTreeError("the guest copy of the overlay is not valid: \(error.message)", fdt: error.fdt)
        }
    }

    /// Points one added node's interrupts at the guest GIC.
    private static func retarget(_ node: String, in tree: inout DeviceTree, handled: inout HandledPhandles) throws(DeviceTreeError) {
        for property in try tree.properties(of: node) {
            switch property.name {
            case "interrupt-parent":
                guard let cells = property.value.deviceTreeCells, cells.count == 1 else {
                    throw DeviceTreeError("overlay node \(node): property interrupt-parent is not one phandle cell")
                }
                try tree.setProperty(property.name, .deviceTreeCells([gicPhandle]), at: node)
                handled.cells.insert(PhandleCell(node: node, property: property.name, offset: 0))
            case "interrupts-extended":
                guard var cells = property.value.deviceTreeCells, !cells.isEmpty, cells.count % extendedEntryCells == 0 else {
                    throw DeviceTreeError("overlay node \(node): property interrupts-extended is not a list of <phandle> and 3 GIC cells")
                }
                for index in stride(from: 0, to: cells.count, by: extendedEntryCells) {
                    cells[index] = gicPhandle
                    handled.cells.insert(PhandleCell(node: node, property: property.name, offset: index * 4))
                }
                try tree.setProperty(property.name, .deviceTreeCells(cells), at: node)
            case "iommus":
                try tree.removeProperty(property.name, at: node)
                handled.removed.insert(NodeProperty(node: node, property: property.name))
            case "interrupt-map":
                throw DeviceTreeError("overlay node \(node): property interrupt-map cannot be translated for the guest (its phandles and cell counts are the host's)")
            default:
                continue
            }
        }
    }

    /// Removes `__fixups__`, refusing any reference the rewrite did not replace.
    private static func dropFixups(in tree: inout DeviceTree, handled: HandledPhandles) throws(DeviceTreeError) {
        guard tree.hasNode("/__fixups__") else { return }
        for property in try tree.properties(of: "/__fixups__") {
            guard let uses = property.value.deviceTreeStrings else {
                throw DeviceTreeError("overlay node /__fixups__: property \(property.name) is not a list of strings")
            }
            for use in uses {
                let parts = use.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, let offset = Int(parts[2]), offset >= 0 else {
                    throw DeviceTreeError("overlay node /__fixups__: property \(property.name) has \"\(use)\", not node:property:offset")
                }
                guard !handled.covers(node: parts[0], property: parts[1], offset: offset) else { continue }
                throw DeviceTreeError("overlay node \(parts[0]): property \(parts[1]) references <&\(property.name)>, which the guest device tree has no equivalent for")
            }
        }
        try tree.removeNode("/__fixups__")
    }

    /// Drops the `__local_fixups__` offsets of replaced phandles, and nodes left empty.
    private static func dropLocalFixups(in tree: inout DeviceTree, handled: HandledPhandles) throws(DeviceTreeError) {
        let root = "/__local_fixups__"
        guard tree.hasNode(root) else { return }
        for fixup in try tree.nodePaths(under: root).reversed() {
            let node = fixup == root ? "/" : String(fixup.dropFirst(root.count))
            for property in try tree.properties(of: fixup) {
                guard let offsets = property.value.deviceTreeCells else {
                    throw DeviceTreeError("overlay node \(fixup): property \(property.name) is not a list of offsets")
                }
                var kept: [UInt32] = []
                for offset in offsets where !handled.covers(node: node, property: property.name, offset: Int(offset)) {
                    guard property.name != "interrupt-parent", property.name != "interrupts-extended" else {
                        throw DeviceTreeError("overlay node \(node): property \(property.name) has a phandle at byte offset \(offset), not where an entry of <phandle> and 3 GIC cells starts")
                    }
                    guard offset % 4 == 0, let value = tree.property(property.name, of: node), Int(offset) + 4 <= value.count else {
                        throw DeviceTreeError("overlay node \(fixup): property \(property.name) names offset \(offset), which \(node) does not have")
                    }
                    kept.append(offset)
                }
                if kept.isEmpty {
                    try tree.removeProperty(property.name, at: fixup)
                } else if kept != offsets {
                    try tree.setProperty(property.name, .deviceTreeCells(kept), at: fixup)
                }
            }
            if try tree.properties(of: fixup).isEmpty, try tree.children(of: fixup).isEmpty {
                try tree.removeNode(fixup)
            }
        }
    }
}

/// A property of an overlay node.
struct NodeProperty: Hashable {
    var node: String
    var property: String
}

/// One phandle cell: its node, property and byte offset.
struct PhandleCell: Hashable {
    var node: String
    var property: String
    var offset: Int
}

/// The phandle cells the rewrite replaced and the phandle properties it removed.
struct HandledPhandles {
    var cells: Set<PhandleCell> = []
    var removed: Set<NodeProperty> = []

    func covers(node: String, property: String, offset: Int) -> Bool {
        cells.contains(PhandleCell(node: node, property: property, offset: offset))
            || removed.contains(NodeProperty(node: node, property: property))
    }
}
