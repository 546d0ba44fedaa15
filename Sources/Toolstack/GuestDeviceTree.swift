// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XLConfig
import XenControl
import XenTypes

/// The device tree an ARM guest boots with, generated in the order and with the content of libxl's
/// `libxl__prepare_dtb`: root, chosen, cpus, psci, memory, GIC (phandle 65000), timer, hypervisor,
/// vpl011 when asked, then `/passthrough` and `/aliases` of the partial device tree. `/reserved-memory` for
/// `static_shm` regions follows the memory nodes, as in the Xilinx fork.
public struct GuestDeviceTree {
    public let tree: DeviceTree
    /// Where the domain builder will put the images, as `ARMBootLayout` predicts; nil when it will refuse
    /// them (not an arm64 `Image`, or no room in RAM).
    public let layout: ARMBootLayout?

    /// What the tree is made from besides the configuration.
    public struct Inputs {
        /// The GIC Xen gave the domain (never `.native`).
        public var gic: GuestGIC
        public var xen: XenVersion
        public var partial: PartialDeviceTree?
        public var kernel: [UInt8]
        public var ramdiskBytes: Int?
    }

    public init(config: DomainConfig, _ inputs: Inputs) throws {
        let cells = [UInt8].deviceTreeCells
        let strings = [UInt8].deviceTreeStrings
        let xen = "\(inputs.xen.major).\(inputs.xen.minor)"
        var root = DeviceTreeNode("", [
            ("model", strings(["XENVM-\(xen)"])),
            ("compatible", strings(["xen,xenvm-\(xen)", "xen,xenvm"])),
            ("interrupt-parent", cells([GuestLayout.phandleGIC])),
            ("#address-cells", cells([GuestLayout.rootAddressCells])),
            ("#size-cells", cells([GuestLayout.rootSizeCells])),
        ])
        root.children.append(Self.chosen(config, inputs))
        root.children.append(Self.cpus(config.vcpus ?? 1))
        root.children.append(DeviceTreeNode("psci", [
            ("compatible", strings(["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])), ("method", strings(["hvc"])),
            ("cpu_off", cells([GuestLayout.psciCPUOff])), ("cpu_on", cells([GuestLayout.psciCPUOn])),
        ]))
        root.children += Self.memory(kib: config.targetMemoryKiB)
        if let reserved = StaticSharedMemoryNodes.reservedMemory(config.staticSharedMemory) { root.children.append(reserved) }
        root.children.append(Self.gic(inputs.gic))
        root.children.append(DeviceTreeNode("timer", [
            ("compatible", strings(["arm,armv8-timer", "arm,armv7-timer"])),
            ("interrupts", cells(Self.ppi(GuestLayout.timerSecurePPI) + Self.ppi(GuestLayout.timerNonSecurePPI) + Self.ppi(GuestLayout.timerVirtualPPI))),
            ("interrupt-parent", cells([GuestLayout.phandleGIC])),
        ]))
        root.children.append(DeviceTreeNode("hypervisor", [
            ("compatible", strings(["xen,xen-\(xen)", "xen,xen"])),
            ("reg", Self.region(GuestLayout.grantTableBase, GuestLayout.grantTableSize)),
            ("interrupts", cells(Self.ppi(GuestLayout.eventChannelPPI))),
            ("interrupt-parent", cells([GuestLayout.phandleGIC])),
        ]))
        if config.vuart == .sbsaUART {
            root.children.append(DeviceTreeNode("sbsa-uart@\(Self.hex(GuestLayout.pl011Base))", [
                ("compatible", strings(["arm,sbsa-uart"])),
                ("reg", Self.region(GuestLayout.pl011Base, GuestLayout.pl011Size)),
                ("interrupts", cells([0, GuestLayout.vpl011SPI - 32, 4])),
                ("interrupt-parent", cells([GuestLayout.phandleGIC])),
            ]))
        }
        if let partial = inputs.partial { root.children += partial.copiedNodes }
        var built: DeviceTree
        do { built = try root.build() } catch { throw ToolstackError("guest device tree: \(error.message)") }
        // The initrd values take the same 8 bytes whatever they are, so the tree's size is known before placing.
        layout = try? ARMBootLayout(kernel: inputs.kernel, ramdiskBytes: inputs.ramdiskBytes, deviceTreeBytes: built.bytes.count,
                                    memoryKiB: config.targetMemoryKiB)
        if let start = layout?.ramdiskStart, let end = layout?.ramdiskEnd {
            do {
                try built.setProperty("linux,initrd-start", Self.address(start), at: "/chosen")
                try built.setProperty("linux,initrd-end", Self.address(end), at: "/chosen")
            } catch { throw ToolstackError("guest device tree: \(error.message)") }
        }
        tree = built
    }

    /// `/chosen`: the command line, and placeholders for the ramdisk's place, which libxl fills in once the
    /// builder has chosen it (here: the predicted place, which the builder then confirms or rewrites).
    private static func chosen(_ config: DomainConfig, _ inputs: Inputs) -> DeviceTreeNode {
        var node = DeviceTreeNode("chosen")
        if let cmdline = config.cmdline { node.properties.append(DeviceTreeProperty(name: "bootargs", value: .deviceTreeStrings([cmdline]))) }
        if inputs.ramdiskBytes != nil {
            node.properties.append(DeviceTreeProperty(name: "linux,initrd-start", value: address(0)))
            node.properties.append(DeviceTreeProperty(name: "linux,initrd-end", value: address(0)))
        }
        return node
    }

    /// A 64-bit guest address as two cells.
    private static func address(_ value: UInt64) -> [UInt8] { .deviceTreeCells([UInt32(value >> 32), UInt32(value & 0xFFFF_FFFF)]) }

    private static func cpus(_ count: UInt32) -> DeviceTreeNode {
        var node = DeviceTreeNode("cpus", [("#address-cells", .deviceTreeCells([1])), ("#size-cells", .deviceTreeCells([0]))])
        for index in 0..<count {
            // libxl__compute_mpdir: 16 vCPUs per cluster.
            let mpidr = (index & 0xF) | ((index >> 4) << 8)
            node.children.append(DeviceTreeNode("cpu@\(String(mpidr, radix: 16))", [
                ("device_type", .deviceTreeStrings(["cpu"])), ("compatible", .deviceTreeStrings(["arm,armv8"])),
                ("enable-method", .deviceTreeStrings(["psci"])), ("reg", .deviceTreeCells([mpidr])),
            ]))
        }
        return node
    }

    /// One memory node per guest RAM bank used, sized as the builder fills the banks.
    private static func memory(kib: UInt64) -> [DeviceTreeNode] {
        GuestRAM.populated(bytes: kib * 1024).map { bank in
            DeviceTreeNode("memory@\(hex(bank.lowerBound))", [
                ("device_type", .deviceTreeStrings(["memory"])), ("reg", region(bank.lowerBound, bank.upperBound - bank.lowerBound)),
            ])
        }
    }

    private static func gic(_ version: GuestGIC) -> DeviceTreeNode {
        let cells = [UInt8].deviceTreeCells
        let phandle = cells([GuestLayout.phandleGIC])
        if version == .v2 {
            return DeviceTreeNode("interrupt-controller@\(hex(GuestLayout.gicdBase))", [
                ("compatible", .deviceTreeStrings(["arm,cortex-a15-gic", "arm,cortex-a9-gic"])),
                ("#interrupt-cells", cells([3])), ("#address-cells", cells([0])), ("interrupt-controller", []),
                ("reg", region(GuestLayout.gicdBase, GuestLayout.gicdSize) + region(GuestLayout.giccBase, GuestLayout.giccSize)),
                ("linux,phandle", phandle), ("phandle", phandle),
            ])
        }
        return DeviceTreeNode("interrupt-controller@\(hex(GuestLayout.gicdBase))", [
            ("compatible", .deviceTreeStrings(["arm,gic-v3"])),
            ("#interrupt-cells", cells([3])), ("#address-cells", cells([0])), ("interrupt-controller", []),
            ("redistributor-stride", cells([GuestLayout.gicv3RedistributorStride])), ("#redistributor-regions", cells([1])),
            ("reg", region(GuestLayout.gicdBase, GuestLayout.gicv3DistributorSize)
                + region(GuestLayout.gicv3Redistributor0Base, GuestLayout.gicv3Redistributor0Size)),
            ("linux,phandle", phandle), ("phandle", phandle),
        ])
    }

    /// A PPI specifier for all CPUs, level-low: `<1 (ppi - 16) 0xf08>`.
    private static func ppi(_ irq: UInt32) -> [UInt32] { [1, irq - 16, 0xF << 8 | 8] }

    /// A `reg` entry with the root's two address and two size cells.
    static func region(_ base: UInt64, _ size: UInt64) -> [UInt8] {
        .deviceTreeCells([UInt32(base >> 32), UInt32(base & 0xFFFF_FFFF), UInt32(size >> 32), UInt32(size & 0xFFFF_FFFF)])
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}

extension DomainConfig {
    /// `memory` in KiB, with libxl's default of 32 MiB.
    public var targetMemoryKiB: UInt64 { (memoryMiB ?? 32) * 1024 }
    /// `maxmem` in KiB; `memory` when not given.
    public var maxMemoryKiB: UInt64 { max(maxMemoryMiB.map { $0 * 1024 } ?? targetMemoryKiB, targetMemoryKiB) }
}
