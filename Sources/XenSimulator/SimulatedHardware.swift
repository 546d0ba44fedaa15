// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenTypes

/// What the simulated Xen gave away at boot, read from the live host tree as Xen's domain builder for dom0 reads it:
/// Xen keeps the GIC and its console UART; dom0 gets permission for every other device's IRQs and MMIO, and the
/// IRQs and IOMMU of devices without `xen,passthrough` are routed and assigned to dom0.
struct SimulatedHardware {
    /// SPIs dom0 may hand on (`irq_access_permitted(dom0)`).
    var dom0IRQs: Set<UInt32> = []
    /// IRQs routed to dom0 at boot.
    var dom0RoutedIRQs: Set<UInt32> = []
    /// Frames dom0 may not map: Xen's GIC and console, and RAM.
    var reservedFrames: [ClosedRange<UInt64>] = []
    /// Device nodes dom0 owns through the IOMMU at boot.
    var dom0Devices: Set<String> = []

    /// Reads the live host tree; without one, dom0 holds nothing.
    init(tree: DeviceTree?) {
        guard let tree else { return }
        let console = Self.consolePath(tree)
        for path in (try? tree.nodePaths()) ?? [] where path != "/" {
            guard let resources = try? tree.resources(of: path) else { continue }
            let isRAM = tree.property("device_type", of: path)?.deviceTreeString == "memory"
            if tree.isGIC(path) || path == console || isRAM {
                reservedFrames += resources.mmio.compactMap(\.frames)
                continue
            }
            // Only SPIs: Xen keeps the per-CPU interrupts (SGIs, PPIs such as the timer's) for itself.
            let spis = resources.irqs.filter { $0 >= 32 }
            dom0IRQs.formUnion(spis)
            if !resources.passthrough {
                dom0RoutedIRQs.formUnion(spis)
                if resources.usesIOMMU { dom0Devices.insert(path) }
            }
        }
    }

    /// Whether dom0 may grant every frame of `frames`.
    func dom0MayMap(_ frames: ClosedRange<UInt64>) -> Bool {
        !reservedFrames.contains { $0.overlaps(frames) }
    }

    /// The node `/chosen/stdout-path` names, without its options; Xen's console.
    private static func consolePath(_ tree: DeviceTree) -> String? {
        guard let text = tree.property("stdout-path", of: "/chosen")?.deviceTreeString else { return nil }
        let path = String(text.split(separator: ":", maxSplits: 1).first ?? "")
        if path.hasPrefix("/") { return path }
        return tree.property(path, of: "/aliases")?.deviceTreeString
    }
}
