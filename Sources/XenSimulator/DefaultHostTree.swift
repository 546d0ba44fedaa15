// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// The ARM64 host device tree a new simulated host boots with when no `--host-dtb` is given.
///
/// It follows QEMU's `virt` board: a GICv3, a PL011 UART used by Xen, and spare PL031/PL061
/// devices for passthrough, plus an empty `/soc` bus for overlays, and phandles and
/// `__symbols__` on the labelled nodes (as `dtc -@` makes them) so overlays may use labels. `Docs/simulator.md` shows it as DTS.
public enum DefaultHostTree {
    /// The phandle of the host GIC.
    public static let gicPhandle: UInt32 = 0x8001

    /// Builds the blob.
    public static func make() throws(DeviceTreeError) -> DeviceTree {
        var tree = try DeviceTree.empty()
        func node(_ path: String, _ properties: [(String, [UInt8])]) throws(DeviceTreeError) {
            if path != "/" { try tree.addNode(path) }
            for (name, value) in properties { try tree.setProperty(name, value, at: path) }
        }
        let cells = [UInt8].deviceTreeCells
        let strings = [UInt8].deviceTreeStrings
        try node("/", [
            ("compatible", strings(["linux,dummy-virt"])), ("model", strings(["xl-swift simulated ARM64 host"])),
            ("#address-cells", cells([2])), ("#size-cells", cells([2])), ("interrupt-parent", cells([gicPhandle])),
        ])
        try node("/chosen", [("stdout-path", strings(["/pl011@9000000"])), ("xen,xen-bootargs", strings(["console=dtuart dom0_mem=1024M"]))])
        try node("/memory@40000000", [("device_type", strings(["memory"])), ("reg", cells([0, 0x4000_0000, 1, 0]))])
        try node("/cpus", [("#address-cells", cells([1])), ("#size-cells", cells([0]))])
        for cpu in 0..<4 {
            try node("/cpus/cpu@\(cpu)", [
                ("device_type", strings(["cpu"])), ("compatible", strings(["arm,cortex-a57"])),
                ("reg", cells([UInt32(cpu)])), ("enable-method", strings(["psci"])),
            ])
        }
        try node("/psci", [("compatible", strings(["arm,psci-1.0", "arm,psci-0.2"])), ("method", strings(["hvc"]))])
        try node("/intc@8000000", [
            ("compatible", strings(["arm,gic-v3"])), ("#interrupt-cells", cells([3])), ("interrupt-controller", []),
            ("#address-cells", cells([2])), ("#size-cells", cells([2])), ("ranges", []),
            ("reg", cells([0, 0x800_0000, 0, 0x1_0000, 0, 0x80A_0000, 0, 0xF6_0000])),
            ("interrupts", cells([1, 9, 4])), ("phandle", cells([gicPhandle])),
        ])
        try node("/timer", [
            ("compatible", strings(["arm,armv8-timer", "arm,armv7-timer"])),
            ("interrupts", cells([1, 13, 0xF04, 1, 14, 0xF04, 1, 11, 0xF04, 1, 10, 0xF04])),
        ])
        try node("/pl011@9000000", [
            ("compatible", strings(["arm,pl011", "arm,primecell"])), ("reg", cells([0, 0x900_0000, 0, 0x1000])),
            ("interrupts", cells([0, 1, 4])), ("phandle", cells([0x8002])),
        ])
        try node("/pl031@9010000", [
            ("compatible", strings(["arm,pl031", "arm,primecell"])), ("reg", cells([0, 0x901_0000, 0, 0x1000])),
            ("interrupts", cells([0, 2, 4])), ("xen,passthrough", []), ("phandle", cells([0x8003])),
        ])
        try node("/pl061@9030000", [
            ("compatible", strings(["arm,pl061", "arm,primecell"])), ("reg", cells([0, 0x903_0000, 0, 0x1000])),
            ("interrupts", cells([0, 7, 4])), ("gpio-controller", []), ("#gpio-cells", cells([2])),
            ("phandle", cells([0x8004])),
        ])
        try node("/soc", [
            ("compatible", strings(["simple-bus"])), ("#address-cells", cells([2])), ("#size-cells", cells([2])),
            ("ranges", []), ("phandle", cells([0x8005])),
        ])
        try node("/__symbols__", [
            ("gic", strings(["/intc@8000000"])), ("uart0", strings(["/pl011@9000000"])),
            ("rtc", strings(["/pl031@9010000"])), ("gpio", strings(["/pl061@9030000"])), ("soc", strings(["/soc"])),
        ])
        return tree
    }
}
