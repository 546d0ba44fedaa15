// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XLConfig

extension Toolstack {
    /// With the host tree known (the simulator's, or `--host-dtb`), refuses before any hypercall what Xen would
    /// refuse later with a bare errno: a `dtdev` that is missing, unmarked or not behind an IOMMU, an IRQ that Xen
    /// keeps or routed to dom0 (or that no node has), and an `iomem` page outside every node marked `xen,passthrough`.
    func checkPassthroughAgainstHost(_ config: DomainConfig) throws {
        guard let bootTree else { return }
        for (index, path) in config.dtdevs.enumerated() {
            let location = Self.entryLocation(config, "dtdev", index)
            guard bootTree.hasNode(path) else {
                throw ToolstackError("\(location)dtdev: \(path) is not a node of the host device tree")
            }
            guard bootTree.property("xen,passthrough", of: path) != nil else {
                throw ToolstackError("\(location)dtdev: host node \(path) has no xen,passthrough, so Xen gave it to dom0 at boot; mark it (fdt set \(path) xen,passthrough) and reboot")
            }
            guard bootTree.property("iommus", of: path) != nil else {
                throw ToolstackError("\(location)dtdev: host node \(path) has no iommus, so no IOMMU stands between it and memory and Xen cannot assign it; "
                    + "drop it from dtdev and pass its pages and IRQs with iomem and irqs alone, which is safe only for a device that does no DMA or a direct-mapped guest")
            }
        }
        let map = HostDeviceMap(tree: bootTree)
        for (index, irq) in config.irqs.enumerated() {
            let location = Self.entryLocation(config, "irqs", index)
            let name = "IRQ \(irq) (SPI \(irq - 32))"
            guard let owner = map.owner(ofIRQ: irq) else {
                throw ToolstackError("\(location)irqs: \(name) is the interrupt of no host device-tree node, so Xen gave dom0 no right to pass it on")
            }
            switch owner.holder {
            case .xen(let what):
                throw ToolstackError("\(location)irqs: \(name) is host node \(owner.path)'s, which Xen keeps as \(what); it cannot be passed through")
            case .dom0:
                throw ToolstackError("\(location)irqs: \(name) is host node \(owner.path)'s, which has no xen,passthrough, so Xen routed it to dom0 at boot; "
                    + "mark the node (fdt set \(owner.path) xen,passthrough) and reboot")
            case .passthrough:
                continue
            }
        }
        for (index, range) in config.iomem.enumerated() {
            guard let page = map.firstPageNotForPassthrough(range.start...(range.start + range.number - 1)) else { continue }
            let location = Self.entryLocation(config, "iomem", index)
            let head = "\(location)iomem: \"\(range.spec)\": page 0x\(String(page, radix: 16))"
            guard let owner = map.owner(ofFrame: page) else {
                throw ToolstackError("\(head) is in the reg of no host device-tree node; iomem may map only pages of nodes marked xen,passthrough")
            }
            switch owner.holder {
            case .xen(let what):
                throw ToolstackError("\(head) is in host node \(owner.path)'s reg, which Xen keeps as \(what); it cannot be passed through")
            case .dom0, .passthrough:
                throw ToolstackError("\(head) is in host node \(owner.path)'s reg, which has no xen,passthrough, so dom0 drives that device; "
                    + "mark the node (fdt set \(owner.path) xen,passthrough) and reboot, or map only pages of marked nodes")
            }
        }
    }

    /// `file:line:column: ` of entry `index` of list `key`, or of the key, or nothing when neither is known.
    static func entryLocation(_ config: DomainConfig, _ key: String, _ index: Int) -> String {
        (config.locations[DomainConfig.entryLocationKey(key, index)] ?? config.locations[key]).map { "\($0): " } ?? ""
    }
}

extension IOMemRange {
    /// The entry as xl.cfg writes it: `0xSTART,NUM@0xGFN` (hexadecimal).
    var spec: String { "0x\(String(start, radix: 16)),\(String(number, radix: 16))@0x\(String(gfn, radix: 16))" }
}
