// SPDX-License-Identifier: Apache-2.0
/// DTS sources of overlays for the built-in simulated host tree (`/soc` bus, GIC labelled `gic`).
public enum OverlaySources {
    /// An overlay adding one device under `target` (a `target-path`, or `&label` for a label target).
    public static func device(
        _ name: String = "ethernet@9100000", target: String = "/soc", address: UInt32 = 0x910_0000,
        spis: [UInt32] = [40, 41], extra: String = ""
    ) -> String {
        let targetLine = target.hasPrefix("&") ? "target = <\(target)>;" : "target-path = \"\(target)\";"
        let interrupts = spis.map { "<0 \($0) 4>" }.joined(separator: ", ")
        return """
            /dts-v1/;
            /plugin/;
            / {
                fragment@0 {
                    \(targetLine)
                    __overlay__ {
                        \(name) {
                            compatible = "example,device";
                            reg = <0x0 0x\(String(address, radix: 16)) 0x0 0x1000>;
                            \(spis.isEmpty ? "" : "interrupts = \(interrupts);")
                            \(extra)
                        };
                    };
                };
            };
            """
    }
}
