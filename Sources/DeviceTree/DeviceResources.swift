// SPDX-License-Identifier: Apache-2.0
/// What a device node asks of the hypervisor: MMIO ranges, GIC interrupts, and IOMMU use.
public struct DeviceResources: Hashable, Sendable, Codable {
    /// Physical address ranges from `reg`, translated through the parents' `ranges`.
    public var mmio: [MMIORange]
    /// GIC interrupt numbers (SPIs from 32, PPIs from 16) from `interrupts`/`interrupts-extended`.
    public var irqs: [UInt32]
    /// Whether the node has an `iommus` property.
    public var usesIOMMU: Bool
    /// Whether the node carries `xen,passthrough` (Xen then only grants permissions).
    public var passthrough: Bool

    public init(mmio: [MMIORange] = [], irqs: [UInt32] = [], usesIOMMU: Bool = false, passthrough: Bool = false) {
        self.mmio = mmio
        self.irqs = irqs
        self.usesIOMMU = usesIOMMU
        self.passthrough = passthrough
    }
}

/// A physical address range.
public struct MMIORange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: UInt64
    public var size: UInt64
    public init(address: UInt64, size: UInt64) {
        self.address = address
        self.size = size
    }
    /// The 4 KiB frames the range touches.
    public var frames: ClosedRange<UInt64>? {
        guard size > 0 else { return nil }
        let (end, overflow) = address.addingReportingOverflow(size - 1)
        guard !overflow else { return nil }
        return (address >> 12)...(end >> 12)
    }
    public var description: String { "0x\(String(address, radix: 16))+0x\(String(size, radix: 16))" }
}

extension DeviceTree {
    /// The resources of one node, read the way Xen's `handle_device` reads them.
    public func resources(of path: String) throws(DeviceTreeError) -> DeviceResources {
        guard hasNode(path) else { throw DeviceTreeError("node \(path) does not exist") }
        return DeviceResources(
            mmio: try registers(of: path), irqs: try interrupts(of: path),
            usesIOMMU: property("iommus", of: path) != nil,
            passthrough: property("xen,passthrough", of: path) != nil)
    }

    /// `reg`, decoded with the parent's cell counts and translated up to the root.
    func registers(of path: String) throws(DeviceTreeError) -> [MMIORange] {
        guard let raw = property("reg", of: path) else { return [] }
        let parent = DeviceTree.split(path).parent
        let addressCells = cellCount("#address-cells", of: parent, default: 2)
        let sizeCells = cellCount("#size-cells", of: parent, default: 1)
        let entry = addressCells + sizeCells
        guard let cells = raw.deviceTreeCells, addressCells <= 2, sizeCells <= 2, entry > 0, cells.count % entry == 0 else {
            throw DeviceTreeError("node \(path): reg does not match #address-cells = <\(addressCells)> and #size-cells = <\(sizeCells)> of \(parent)")
        }
        var result: [MMIORange] = []
        for i in stride(from: 0, to: cells.count, by: entry) {
            let address = DeviceTree.number(cells[i..<(i + addressCells)])
            let size = DeviceTree.number(cells[(i + addressCells)..<(i + entry)])
            result.append(MMIORange(address: try translate(address, from: parent, node: path), size: size))
        }
        return result
    }

    /// Translates a bus address of `bus`'s children through `ranges` up to the root.
    private func translate(_ address: UInt64, from bus: String, node: String) throws(DeviceTreeError) -> UInt64 {
        var address = address
        var bus = bus
        while bus != "/" {
            guard let ranges = property("ranges", of: bus) else {
                throw DeviceTreeError("node \(node): bus \(bus) has no ranges, so its addresses are not visible to the CPU")
            }
            let parent = DeviceTree.split(bus).parent
            if !ranges.isEmpty {
                let child = cellCount("#address-cells", of: bus, default: 2)
                let parentCells = cellCount("#address-cells", of: parent, default: 2)
                let size = cellCount("#size-cells", of: bus, default: 1)
                let entry = child + parentCells + size
                guard let cells = ranges.deviceTreeCells, child <= 2, parentCells <= 2, size <= 2, entry > 0, cells.count % entry == 0 else {
                    throw DeviceTreeError("node \(bus): ranges does not match its cell counts (#address-cells = <\(child)>, #size-cells = <\(size)>, #address-cells = <\(parentCells)> of \(parent))")
                }
                var mapped: UInt64?
                for i in stride(from: 0, to: cells.count, by: entry) {
                    let childBase = DeviceTree.number(cells[i..<(i + child)])
                    let parentBase = DeviceTree.number(cells[(i + child)..<(i + child + parentCells)])
                    let length = DeviceTree.number(cells[(i + child + parentCells)..<(i + entry)])
                    if address >= childBase, address - childBase < length {
                        mapped = parentBase &+ (address - childBase)
                        break
                    }
                }
                guard let mapped else {
                    throw DeviceTreeError("node \(node): address 0x\(String(address, radix: 16)) is outside the ranges of \(bus)")
                }
                address = mapped
            }
            bus = parent
        }
        return address
    }

    /// GIC interrupts of `interrupts` (through `interrupt-parent`) and `interrupts-extended`.
    func interrupts(of path: String) throws(DeviceTreeError) -> [UInt32] {
        var result: [UInt32] = []
        if let raw = property("interrupts-extended", of: path) {
            guard var cells = raw.deviceTreeCells?[...] else { throw DeviceTreeError("node \(path): interrupts-extended is not a list of cells") }
            while let phandle = cells.first {
                guard let controller = self.path(ofPhandle: phandle) else {
                    throw DeviceTreeError("node \(path): interrupts-extended names phandle 0x\(String(phandle, radix: 16)), which no node has")
                }
                let count = cellCount("#interrupt-cells", of: controller, default: 0)
                guard count > 0, cells.count >= 1 + count else {
                    throw DeviceTreeError("node \(path): interrupts-extended is too short for \(controller)")
                }
                if let irq = gicInterrupt(Array(cells.dropFirst().prefix(count)), controller: controller) { result.append(irq) }
                cells = cells.dropFirst(1 + count)
            }
        } else if let raw = property("interrupts", of: path) {
            guard let controller = interruptParent(of: path) else {
                throw DeviceTreeError("node \(path) has interrupts but no interrupt-parent that resolves to a node")
            }
            let count = cellCount("#interrupt-cells", of: controller, default: 0)
            guard count > 0, let cells = raw.deviceTreeCells, cells.count % count == 0 else {
                throw DeviceTreeError("node \(path): interrupts does not match #interrupt-cells of \(controller)")
            }
            for i in stride(from: 0, to: cells.count, by: count) {
                if let irq = gicInterrupt(Array(cells[i..<(i + count)]), controller: controller) { result.append(irq) }
            }
        }
        return result
    }

    /// The controller named by the nearest `interrupt-parent` at or above `path`.
    public func interruptParent(of path: String) -> String? {
        var node = path
        while true {
            if let cells = property("interrupt-parent", of: node)?.deviceTreeCells, cells.count == 1 {
                return self.path(ofPhandle: cells[0])
            }
            if node == "/" { return nil }
            node = DeviceTree.split(node).parent
        }
    }

    /// Whether `path` is an ARM GIC interrupt controller.
    public func isGIC(_ path: String) -> Bool {
        guard property("interrupt-controller", of: path) != nil,
            let compatible = property("compatible", of: path)?.deviceTreeStrings
        else { return false }
        return compatible.contains { $0.hasPrefix("arm,gic") || $0.hasPrefix("arm,cortex-a") && $0.hasSuffix("-gic") }
    }

    /// The GIC interrupt number of a 3-cell specifier (type, number, flags); `nil` for other controllers.
    private func gicInterrupt(_ specifier: [UInt32], controller: String) -> UInt32? {
        guard isGIC(controller), specifier.count >= 2 else { return nil }
        switch specifier[0] {
        case 0: return specifier[1] &+ 32
        case 1: return specifier[1] &+ 16
        default: return nil
        }
    }

    private func cellCount(_ name: String, of path: String, default value: Int) -> Int {
        guard let cells = property(name, of: path)?.deviceTreeCells, cells.count == 1 else { return value }
        return Int(cells[0])
    }

    private static func number(_ cells: ArraySlice<UInt32>) -> UInt64 {
        cells.reduce(0) { $0 << 32 | UInt64($1) }
    }
}
