// SPDX-License-Identifier: Apache-2.0
import TestSupport
import XCTest

/// DTS sources shared by the device-tree tests.
enum Fixtures {
    static let base = """
        /dts-v1/;
        / {
            #address-cells = <2>;
            #size-cells = <2>;
            interrupt-parent = <&gic>;
            gic: interrupt-controller@8000000 {
                compatible = "arm,gic-v3";
                #interrupt-cells = <3>;
                interrupt-controller;
                reg = <0 0x8000000 0 0x10000>;
            };
            soc: soc {
                compatible = "simple-bus";
                #address-cells = <1>;
                #size-cells = <1>;
                ranges = <0x0 0x0 0xf0000000 0x10000000>;
                uart: serial@1000 {
                    compatible = "ns16550a";
                    reg = <0x1000 0x100>;
                    interrupts = <0 5 4>;
                };
            };
            passthrough {
                compatible = "simple-bus";
                #address-cells = <2>;
                #size-cells = <2>;
                ranges;
            };
        };
        """

    static let pathOverlay = """
        /dts-v1/;
        /plugin/;
        / {
            fragment@0 {
                target-path = "/passthrough";
                __overlay__ {
                    ethernet@ff0e0000 {
                        compatible = "cdns,zynqmp-gem";
                        reg = <0x0 0xff0e0000 0x0 0x1000>;
                        interrupt-parent = <&gic>;
                        interrupts = <0 63 4>, <0 64 4>;
                        iommus = <&gic 0x877>;
                        mdio { #address-cells = <1>; #size-cells = <0>; };
                    };
                };
            };
            fragment@1 {
                target = <&soc>;
                __overlay__ {
                    gpio@2000 {
                        reg = <0x2000 0x100>;
                        interrupts-extended = <&gic 0 9 4>;
                        xen,passthrough;
                    };
                };
            };
        };
        """

    static func compile(_ source: String, symbols: Bool = true) throws -> [UInt8] {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc, fdtoverlay and fdtget (device-tree-compiler) are not installed")
        return try DeviceTreeTools.compile(source, symbols: symbols)
    }
}
