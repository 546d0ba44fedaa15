// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// The host tree's device nodes as Xen hands them out at boot, to name the node behind an IRQ or an MMIO page:
/// Xen keeps the GIC, its console UART and RAM; nodes without `xen,passthrough` go to dom0; marked ones wait
/// for a guest.
struct HostDeviceMap {
    /// Who a device node is given to at boot.
    enum Holder: Equatable {
        /// Xen itself, with what the node is to it ("the GIC", "its console UART", "RAM").
        case xen(String)
        /// dom0: the node has no `xen,passthrough`.
        case dom0
        /// Nobody yet: the node is marked `xen,passthrough`.
        case passthrough
    }

    /// One device node: its path, holder, SPIs and MMIO page ranges.
    struct Device {
        var path: String
        var holder: Holder
        var irqs: [UInt32]
        var frames: [ClosedRange<UInt64>]
    }

    let devices: [Device]

    /// Reads every node with resources; nodes whose `reg` or `interrupts` cannot be decoded are left out, as are
    /// trees that cannot be walked (the checks that use the map then pass, and Xen decides).
    init(tree: DeviceTree) {
        let console = Self.consolePath(tree)
        var devices: [Device] = []
        for path in (try? tree.nodePaths()) ?? [] where path != "/" {
            guard let resources = try? tree.resources(of: path), !resources.irqs.isEmpty || !resources.mmio.isEmpty else { continue }
            let holder: Holder
            if tree.isGIC(path) {
                holder = .xen("the GIC")
            } else if path == console {
                holder = .xen("its console UART")
            } else if tree.property("device_type", of: path)?.deviceTreeString == "memory" {
                holder = .xen("RAM")
            } else {
                holder = resources.passthrough ? .passthrough : .dom0
            }
            devices.append(Device(path: path, holder: holder, irqs: resources.irqs.filter { $0 >= 32 }, frames: resources.mmio.compactMap(\.frames)))
        }
        self.devices = devices
    }

    /// The node that decides whether `irq` can be passed through: one Xen keeps, else one dom0 has, else a
    /// marked one; nil when no node has it.
    func owner(ofIRQ irq: UInt32) -> Device? {
        Self.mostBinding(devices.filter { $0.irqs.contains(irq) })
    }

    /// The node whose `reg` holds page `frame`, chosen as for IRQs; nil when no node's does.
    func owner(ofFrame frame: UInt64) -> Device? {
        Self.mostBinding(devices.filter { $0.frames.contains { $0.contains(frame) } })
    }

    /// The first page of `frames` not inside the `reg` of a node marked `xen,passthrough`; nil when all are.
    func firstPageNotForPassthrough(_ frames: ClosedRange<UInt64>) -> UInt64? {
        let allowed = devices.filter { $0.holder == .passthrough }.flatMap(\.frames)
        var cursor = frames.lowerBound
        while let range = allowed.first(where: { $0.contains(cursor) }) {
            if range.upperBound >= frames.upperBound { return nil }
            cursor = range.upperBound + 1
        }
        return cursor
    }

    private static func mostBinding(_ candidates: [Device]) -> Device? {
        candidates.first { if case .xen = $0.holder { return true } else { return false } }
            ?? candidates.first { $0.holder == .dom0 } ?? candidates.first
    }

    /// The node `/chosen/stdout-path` names (through `/aliases`), without its options: Xen's console.
    private static func consolePath(_ tree: DeviceTree) -> String? {
        guard let text = tree.property("stdout-path", of: "/chosen")?.deviceTreeString else { return nil }
        let path = String(text.split(separator: ":", maxSplits: 1).first ?? "")
        if path.hasPrefix("/") { return path }
        return tree.property(path, of: "/aliases")?.deviceTreeString
    }
}
