// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import FoundationEssentials
import XLConfig

/// The partial device tree of `device_tree=`: its `/passthrough` (required) and `/aliases` go into the guest's tree.
/// It is checked for what libxl accepts silently and the guest would trip over.
public struct PartialDeviceTree {
    public let path: String
    public let tree: DeviceTree
    /// `/passthrough`, then `/aliases` when present, as they will be copied.
    let copiedNodes: [DeviceTreeNode]

    /// Reads and checks the file: a valid blob, a `/passthrough` bus as `docs/misc/arm/passthrough.txt` requires,
    /// no phandle the toolstack reserves, and no reference to a node the guest will not have.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolstackError("device_tree \(path): cannot read the file")
        }
        try self.init(path: path, blob: Array(data))
    }

    /// Checks `blob`, already read from `path` (which names it in messages), as ``init(path:)`` does.
    public init(path: String, blob: [UInt8]) throws {
        self.path = path
        let tree: DeviceTree
        do { tree = try DeviceTree(validating: blob) } catch {
            throw ToolstackError("device_tree \(path): \(error.message)")
        }
        self.tree = tree
        let bus = "/passthrough"
        guard tree.hasNode(bus) else {
            throw ToolstackError("device_tree \(path): no /passthrough node; only /passthrough (required) and /aliases are copied into the guest")
        }
        guard tree.property("compatible", of: bus)?.deviceTreeStrings?.contains("simple-bus") == true else {
            throw ToolstackError("device_tree \(path): /passthrough needs compatible = \"simple-bus\", or the guest kernel will not probe the devices under it")
        }
        for name in ["ranges", "#address-cells", "#size-cells"] where tree.property(name, of: bus) == nil {
            throw ToolstackError("device_tree \(path): /passthrough has no \(name); it is required (see docs/misc/arm/passthrough.txt)")
        }
        if tree.hasNode("/__fixups__") {
            let labels = (try? tree.properties(of: "/__fixups__").map(\.name).joined(separator: ", ")) ?? ""
            throw ToolstackError("device_tree \(path): refers to labels it does not define (\(labels)); they will not exist in the guest")
        }
        let copied = [bus] + (tree.hasNode("/aliases") ? ["/aliases"] : [])
        var nodes: [String] = []
        for root in copied { nodes += try Self.paths(tree, under: root, path) }
        var phandles: Set<UInt32> = []
        for node in nodes {
            for name in ["phandle", "linux,phandle"] {
                guard let value = tree.property(name, of: node)?.deviceTreeCells?.first else { continue }
                if value == GuestLayout.phandleGIC || value == GuestLayout.phandleIOMMU {
                    let owner = value == GuestLayout.phandleGIC ? "the guest GIC" : "the Xen IOMMU node"
                    throw ToolstackError("device_tree \(path): node \(node) uses \(name) \(value), which the toolstack reserves for \(owner)")
                }
                phandles.insert(value)
            }
        }
        for node in nodes {
            if let parent = tree.property("interrupt-parent", of: node)?.deviceTreeCells?.first,
                parent != GuestLayout.phandleGIC, !phandles.contains(parent) {
                throw ToolstackError("device_tree \(path): node \(node): interrupt-parent <\(parent)> names a node the guest will not have (only /passthrough and /aliases are copied; the guest GIC is <\(GuestLayout.phandleGIC)>)")
            }
        }
        if tree.hasNode("/aliases") {
            for alias in try Self.properties(tree, "/aliases", path) {
                guard let target = alias.value.deviceTreeString else { continue }
                guard nodes.contains(target), target.hasPrefix(bus + "/") || target == bus else {
                    throw ToolstackError("device_tree \(path): alias \(alias.name) points to \(target), which the guest will not have (only /passthrough is copied)")
                }
            }
        }
        var copiedNodes: [DeviceTreeNode] = []
        for root in copied {
            do { copiedNodes.append(try DeviceTreeNode(copying: root, of: tree)) } catch {
                throw ToolstackError("device_tree \(path): \(error.message)")
            }
        }
        self.copiedNodes = copiedNodes
    }

    /// Checks the copied devices against the configuration in the generated guest tree: every `reg` must lie in a
    /// guest range of `iomem`, every SPI of `interrupts` must be listed in `irqs`.
    func checkResources(in guest: DeviceTree, config: DomainConfig) throws {
        for node in try Self.paths(guest, under: "/passthrough", path) where node != "/passthrough" {
            let resources: DeviceResources
            do { resources = try guest.resources(of: node) } catch {
                throw ToolstackError("device_tree \(path): \(error.message)")
            }
            for range in resources.mmio {
                guard let frames = range.frames,
                    config.iomem.contains(where: { $0.gfn <= frames.lowerBound && frames.upperBound < $0.gfn + $0.number })
                else {
                    throw ToolstackError("device_tree \(path): node \(node): reg \(range) is not inside any guest range of iomem; the guest would fault on it")
                }
            }
            for irq in resources.irqs where !config.irqs.contains(irq) {
                throw ToolstackError("device_tree \(path): node \(node): interrupts give IRQ \(irq) (SPI \(Int(irq) - 32)), which irqs does not list")
            }
        }
    }

    private static func paths(_ tree: DeviceTree, under root: String, _ file: String) throws -> [String] {
        do { return try tree.nodePaths(under: root) } catch { throw ToolstackError("device_tree \(file): \(error.message)") }
    }

    private static func properties(_ tree: DeviceTree, _ node: String, _ file: String) throws -> [DeviceTreeProperty] {
        do { return try tree.properties(of: node) } catch { throw ToolstackError("device_tree \(file): \(error.message)") }
    }
}
