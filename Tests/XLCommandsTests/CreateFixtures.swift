// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Seed 003's example: a host with `/soc/ethernet@fff51000` marked `xen,passthrough`, its partial tree and config;
/// also a marked `/soc/gpio@fff60000` that is not behind the IOMMU.
enum CreateFixtures {
    static let host = """
        /dts-v1/;
        / {
            compatible = "calxeda,highbank"; #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;
            chosen { stdout-path = "/soc/serial@fff36000"; };
            memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; };
            gic: interrupt-controller@fff10000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
                reg = <0 0xfff10000 0 0x10000 0 0xfe000000 0 0x100000>; };
            soc { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;
                smmu: iommu@fd800000 { compatible = "arm,mmu-500"; reg = <0 0xfd800000 0 0x20000>; #iommu-cells = <1>; interrupts = <0 40 4>; };
                serial@fff36000 { compatible = "arm,pl011"; reg = <0 0xfff36000 0 0x1000>; interrupts = <0 10 4>; };
                ethernet@fff50000 { compatible = "calxeda,hb-xgmac"; reg = <0 0xfff50000 0 0x1000>; interrupts = <0 77 4>; iommus = <&smmu 0x101>; };
                ethernet@fff51000 { compatible = "calxeda,hb-xgmac"; reg = <0 0xfff51000 0 0x1000>;
                    interrupts = <0 80 4 0 81 4 0 82 4>; iommus = <&smmu 0x100>; xen,passthrough; };
                gpio@fff60000 { compatible = "arm,pl061"; reg = <0 0xfff60000 0 0x1000>; interrupts = <0 90 4>; xen,passthrough; };
            };
        };
        """

    /// The partial tree of `docs/misc/arm/passthrough.txt`, with `bus` as the /passthrough node's properties.
    static func partial(
        bus: String = "compatible = \"simple-bus\"; ranges; #address-cells = <2>; #size-cells = <2>;",
        device: String = "reg = <0 0x10000000 0 0x1000>; interrupts = <0 80 4  0 81 4  0 82 4>;",
        node: String = "passthrough"
    ) -> String {
        """
        /dts-v1/;
        / {
            #address-cells = <2>; #size-cells = <2>;
            aliases { net = &mac0; };
            \(node) { \(bus)
                mac0: ethernet@10000000 { compatible = "calxeda,hb-xgmac"; \(device) };
            };
        };
        """
    }

    /// An arm64 Image header: the magic "ARM\\x64" at 0x38.
    static var kernel: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        bytes.replaceSubrange(0x38..<0x3C, with: Array("ARM\u{64}".utf8))
        return bytes
    }

    static func config(kernel: String, deviceTree: String, extra: String = "",
                       dtdev: String = "\"/soc/ethernet@fff51000\"", irqs: String = "112, 113, 114",
                       iomem: String = "\"0xfff51,1@0x10000\"") -> String {
        """
        name = "midway"
        kernel = "\(kernel)"
        memory = 256
        vcpus = 2
        extra = "console=hvc0"
        device_tree = "\(deviceTree)"
        dtdev = [ \(dtdev) ]
        irqs = [ \(irqs) ]
        iomem = [ \(iomem) ]
        \(extra)
        """
    }
}
