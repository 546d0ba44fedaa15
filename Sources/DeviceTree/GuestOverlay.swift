// SPDX-License-Identifier: Apache-2.0
/// Normal mode's domU copy of an overlay: every fragment at the guest root, every host interrupt at the guest GIC.
///
/// Xen gives overlay devices to a domain 1:1 (IPA = PA, vIRQ = pIRQ), so `reg` and `interrupts`
/// stay valid; what changes is where the nodes go and who their interrupt controller is. The
/// rewrite works on a copy and leaves the result consistent:
/// - every fragment gets `target-path = "/"` and loses `target`;
/// - every `interrupt-parent` in the added subtrees (at any depth) and the phandle of every
///   `interrupts-extended` entry that points at a *host* controller (a `__fixups__` label, or a
///   literal phandle no overlay node has) become the guest GIC's phandle 65000 (0xfde8); one that
///   points at an interrupt controller the overlay itself adds stays, with its `__local_fixups__`
///   entry, so Linux renumbers both together; `iommus` is dropped (Xen programs the IOMMU, the
///   guest has none); `interrupt-map` is refused;
/// - `__fixups__` entries for the phandles replaced or dropped go away, any other entry is refused
///   (the guest has no `__symbols__` to resolve it against, so Linux would refuse the overlay);
/// - `__local_fixups__` entries of dropped properties go away, the rest stay;
/// - `__symbols__` is removed (Linux refuses overlay symbols when the live tree has none, and
///   libxl's guest trees have none).
public enum GuestOverlay {
    /// `GUEST_PHANDLE_GIC`: the phandle libxl and dom0less give the guest's GIC.
    public static let gicPhandle: UInt32 = 65000

    /// `#interrupt-cells` of the guest GIC.
    static let gicInterruptCells = 3

    /// The domU's copy of `overlay`; throws naming the node and property it cannot translate.
    ///
    /// With the `host` tree, a host controller an interrupt property names must be a GIC
    /// (`interrupt-controller` with 3 interrupt cells): the guest has no other.
    public static func rewrite(_ overlay: Overlay, host: DeviceTree? = nil) throws(DeviceTreeError) -> DeviceTree {
        var tree = overlay.tree
        let references = try PhandleReferences(tree)
        var handled = HandledPhandles()
        for fragment in overlay.fragments {
            let path = "/" + fragment.name
            if tree.property("target", of: path) != nil {
                try tree.removeProperty("target", at: path)
                handled.cells.insert(PhandleCell(node: path, property: "target", offset: 0))
            }
            try tree.setProperty("target-path", .deviceTreeStrings(["/"]), at: path)
            for node in try tree.nodePaths(under: path + "/__overlay__") {
                try retarget(node, in: &tree, references: references, host: host, handled: &handled)
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

    /// Points one added node's host interrupts at the guest GIC.
    private static func retarget(
        _ node: String, in tree: inout DeviceTree, references: PhandleReferences, host: DeviceTree?, handled: inout HandledPhandles
    ) throws(DeviceTreeError) {
        for property in try tree.properties(of: node) {
            switch property.name {
            case "interrupt-parent":
                guard let cells = property.value.deviceTreeCells, cells.count == 1 else {
                    throw DeviceTreeError("overlay node \(node): property interrupt-parent is not one phandle cell")
                }
                let cell = PhandleCell(node: node, property: property.name, offset: 0)
                if case .host(let label) = try references.classify(cell, value: cells[0]) {
                    try checkHostController(cell, label: label, value: cells[0], host: host)
                    try tree.setProperty(property.name, .deviceTreeCells([gicPhandle]), at: node)
                    handled.cells.insert(cell)
                }
            case "interrupts-extended":
                guard var cells = property.value.deviceTreeCells, !cells.isEmpty else {
                    throw DeviceTreeError("overlay node \(node): property interrupts-extended is not a list of <phandle> and interrupt cells")
                }
                var index = 0
                while index < cells.count {
                    let cell = PhandleCell(node: node, property: property.name, offset: index * 4)
                    let width: Int
                    switch try references.classify(cell, value: cells[index]) {
                    case .host(let label):
                        try checkHostController(cell, label: label, value: cells[index], host: host)
                        cells[index] = gicPhandle
                        handled.cells.insert(cell)
                        width = gicInterruptCells
                    case .local(let controller):
                        width = try references.interruptCells(of: controller, in: tree, for: cell)
                    }
                    guard index + 1 + width <= cells.count else {
                        throw DeviceTreeError("overlay node \(node): property interrupts-extended has an entry at byte offset \(index * 4) with fewer than the \(width) interrupt cells its controller takes")
                    }
                    index += 1 + width
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

    /// With the host tree known, a host controller an interrupt property names must be a GIC.
    private static func checkHostController(_ cell: PhandleCell, label: String?, value: UInt32, host: DeviceTree?) throws(DeviceTreeError) {
        guard let host else { return }
        let path: String?
        if let label {
            path = host.property(label, of: "/__symbols__")?.deviceTreeString
        } else {
            path = host.path(ofPhandle: value)
        }
        // Unknown to the host tree: nothing to compare with (Xen's own checks refuse what it cannot apply).
        guard let path, host.hasNode(path) else { return }
        let cells = host.property("#interrupt-cells", of: path)?.deviceTreeCells
        guard host.property("interrupt-controller", of: path) != nil, cells == [UInt32(gicInterruptCells)] else {
            let name = label.map { "<&\($0)>" } ?? "phandle 0x\(String(value, radix: 16))"
            throw DeviceTreeError("overlay node \(cell.node): property \(cell.property) references \(name), host node \(path), which is not the GIC; the guest has no other interrupt controller")
        }
    }

    /// Removes `__fixups__`, refusing any reference the rewrite did not replace.
    private static func dropFixups(in tree: inout DeviceTree, handled: HandledPhandles) throws(DeviceTreeError) {
        guard tree.hasNode("/__fixups__") else { return }
        for property in try tree.properties(of: "/__fixups__") {
            for cell in try PhandleReferences.fixupUses(property) {
                guard !handled.covers(cell) else { continue }
                throw DeviceTreeError("overlay node \(cell.node): property \(cell.property) references <&\(property.name)>, which the guest device tree has no equivalent for")
            }
        }
        try tree.removeNode("/__fixups__")
    }

    /// Drops the `__local_fixups__` offsets of dropped properties, and nodes left empty.
    private static func dropLocalFixups(in tree: inout DeviceTree, handled: HandledPhandles) throws(DeviceTreeError) {
        let root = PhandleReferences.localFixupsRoot
        guard tree.hasNode(root) else { return }
        for fixup in try tree.nodePaths(under: root).reversed() {
            let node = PhandleReferences.node(ofLocalFixup: fixup)
            for property in try tree.properties(of: fixup) {
                guard let offsets = property.value.deviceTreeCells else {
                    throw DeviceTreeError("overlay node \(fixup): property \(property.name) is not a list of offsets")
                }
                let kept = offsets.filter { !handled.covers(PhandleCell(node: node, property: property.name, offset: Int($0))) }
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

    func covers(_ cell: PhandleCell) -> Bool {
        cells.contains(cell) || removed.contains(NodeProperty(node: cell.node, property: cell.property))
    }
}
