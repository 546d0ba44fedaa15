// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// The simulated guest's first run: it reads its device tree and writes what it found to its console ring,
/// so `xl create -c` has something to show and a test can see what the guest would see.
extension SimulatedHypervisor {
    /// Most `/passthrough` devices the simulated guest reports on.
    static let reportedDevices = 64

    /// Boots the guest of `state.domains[index]` once, after the builder loaded it.
    func bootGuest(_ index: Int) {
        let domain = state.domains[index]
        guard var guest = domain.guest, guest.console == nil, let bytes = guest.deviceTree,
            let tree = try? DeviceTree(validating: bytes), let layout = guest.layout
        else { return }
        var lines: [String] = []
        let model = tree.property("model", of: "/")?.deviceTreeStrings?.first ?? "(no model)"
        let cpus = ((try? tree.children(of: "/cpus")) ?? []).count
        let memory = layout.bankBytes.reduce(0, +) >> 20
        let gicName = guest.gic == .v2 ? "GICv2" : "GICv3"
        lines.append("[sim] domain \(domain.id) booting: \(model), \(cpus) vCPU\(cpus == 1 ? "" : "s"), \(memory) MiB, \(gicName) with \(guest.nrSPIs) SPIs")
        lines.append("[sim] kernel at \(Self.hex(layout.kernelStart)), device tree at \(Self.hex(layout.deviceTreeStart))"
            + (layout.ramdiskStart.map { ", ramdisk at \(Self.hex($0))" } ?? ""))
        if let bootargs = tree.property("bootargs", of: "/chosen")?.deviceTreeStrings?.first {
            lines.append("[sim] command line: \(bootargs)")
        }
        if let parameters = guest.parameters {
            lines.append("[sim] xenstore ring at gfn \(Self.hex(parameters.storePFN)), event channel \(parameters.storeEventChannel)")
            lines.append("[sim] console ring at gfn \(Self.hex(parameters.consolePFN)), event channel \(parameters.consoleEventChannel)")
        }
        if let vpl011 = guest.vpl011 { lines.append("[sim] vpl011 ring at gfn \(Self.hex(vpl011.gfn)), event channel \(vpl011.port)") }
        let devices = ((try? tree.nodePaths(under: "/passthrough")) ?? []).dropFirst()
        for path in devices.prefix(Self.reportedDevices) {
            lines.append("[sim] " + Self.probe(path, in: tree, domain))
        }
        if devices.count > Self.reportedDevices { lines.append("[sim] ... and \(devices.count - Self.reportedDevices) more devices") }
        guest.console = ""
        guest.write(lines.joined(separator: "\n") + "\n")
        state.domains[index].guest = guest
    }

    /// What the guest finds when it probes one passed-through node: are its pages mapped and its IRQs routed?
    private static func probe(_ path: String, in tree: DeviceTree, _ domain: SimulatedDomain) -> String {
        guard let resources = try? tree.resources(of: path) else { return "\(path): cannot read reg or interrupts" }
        var parts: [String] = []
        for range in resources.mmio {
            let frames = range.frames
            let mapped = frames.map { $0.count <= maximumFramesPerRange && $0.allSatisfy { domain.mmioMappings[$0] != nil } } ?? false
            parts.append("reg \(range) \(mapped ? "mapped" : "NOT MAPPED")")
        }
        for irq in resources.irqs {
            parts.append("IRQ \(irq) \(domain.routedIRQs.contains(irq) ? "routed" : "NOT ROUTED")")
        }
        return "\(path): " + (parts.isEmpty ? "no reg or interrupts" : parts.joined(separator: ", "))
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
