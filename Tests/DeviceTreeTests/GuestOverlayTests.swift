// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest

final class GuestOverlayTests: XCTestCase {
    /// Label references, a label target, nested `interrupt-parent` (to the host GIC and to a
    /// controller the overlay adds), `interrupts-extended` mixing both, `iommus`, a local phandle
    /// user and `__symbols__`.
    static let overlay = """
        /dts-v1/;
        /plugin/;
        / {
            fragment@0 {
                target = <&amba>;
                __overlay__ {
                    intc: gpio@ff0a0000 {
                        reg = <0x0 0xff0a0000 0x0 0x1000>;
                        interrupt-parent = <&gic>;
                        interrupts = <0 16 4>;
                        interrupt-controller;
                        #interrupt-cells = <2>;
                        child { interrupt-parent = <&intc>; interrupts = <1 2>; };
                    };
                    eth: ethernet@ff0e0000 {
                        reg = <0x0 0xff0e0000 0x0 0x1000>;
                        interrupts-extended = <&gic 0 63 4>, <&intc 64 4>;
                        iommus = <&smmu 0x877>;
                        reset-gpios = <&intc 1 0>;
                        mdio { phy { interrupt-parent = <&gic>; interrupts = <0 5 4>; }; };
                    };
                };
            };
            fragment@1 {
                target-path = "/amba";
                __overlay__ {
                    serial@ff010000 { reg = <0x0 0xff010000 0x0 0x1000>; interrupt-parent = <&gic>; interrupts = <0 22 4>; };
                };
            };
        };
        """

    /// A guest-like tree: no `__symbols__`, the GIC at phandle 0xfde8 as libxl builds it.
    static let guestBase = """
        /dts-v1/;
        / {
            #address-cells = <2>;
            #size-cells = <2>;
            interrupt-parent = <0xfde8>;
            interrupt-controller@3001000 {
                compatible = "arm,gic-v3";
                interrupt-controller;
                #interrupt-cells = <3>;
                reg = <0x0 0x3001000 0x0 0x10000>;
                phandle = <0xfde8>;
            };
        };
        """

    private func rewrite(_ source: String) throws -> (original: [UInt8], guest: [UInt8]) {
        let blob = try Fixtures.compile(source)
        let guest = try GuestOverlay.rewrite(try Overlay(try DeviceTree(validating: blob)))
        return (blob, guest.bytes)
    }

    private func get(_ blob: [UInt8], _ arguments: String...) throws -> String {
        try DeviceTreeTools.get(blob, arguments)
    }

    func testHostInterruptParentsPointAtTheGuestGICAndLocalOnesStay() throws {
        let (original, guest) = try rewrite(Self.overlay)
        for fragment in ["/fragment@0", "/fragment@1"] {
            XCTAssertEqual(try get(guest, "-t", "s", fragment, "target-path"), "/")
            XCTAssertThrowsError(try get(guest, fragment, "target"))
        }
        for node in ["gpio@ff0a0000", "ethernet@ff0e0000/mdio/phy"] {
            XCTAssertEqual(try get(guest, "-t", "x", "/fragment@0/__overlay__/" + node, "interrupt-parent"), "fde8", node)
        }
        XCTAssertEqual(try get(guest, "-t", "x", "/fragment@1/__overlay__/serial@ff010000", "interrupt-parent"), "fde8")
        // The child's parent is the overlay's own gpio controller: its phandle stays.
        let controller = try get(original, "-t", "x", "/fragment@0/__overlay__/gpio@ff0a0000", "phandle")
        XCTAssertEqual(try get(guest, "-t", "x", "/fragment@0/__overlay__/gpio@ff0a0000/child", "interrupt-parent"), controller)
        let eth = "/fragment@0/__overlay__/ethernet@ff0e0000"
        XCTAssertEqual(try get(guest, "-t", "x", eth, "interrupts-extended"), "fde8 0 3f 4 \(controller) 40 4")
        XCTAssertThrowsError(try get(guest, eth, "iommus"))
        // The original blob is untouched: the rewrite works on a copy.
        XCTAssertEqual(try get(original, "-t", "x", "/fragment@0/__overlay__/gpio@ff0a0000", "interrupt-parent"), "ffffffff")
    }

    func testFixupsAndSymbolsAreConsistent() throws {
        let (original, guest) = try rewrite(Self.overlay)
        XCTAssertTrue(try get(original, "-l", "/").contains("__fixups__"))
        XCTAssertTrue(try get(original, "-l", "/").contains("__symbols__"))
        XCTAssertEqual(try get(guest, "-l", "/"), "fragment@0\nfragment@1\n__local_fixups__")
        // References to the overlay's own gpio controller keep their local fixups; those to the host go.
        let local = "/__local_fixups__/fragment@0/__overlay__"
        XCTAssertEqual(try get(guest, "-l", local), "gpio@ff0a0000\nethernet@ff0e0000")
        XCTAssertEqual(try get(guest, "-t", "u", local + "/gpio@ff0a0000/child", "interrupt-parent"), "0")
        XCTAssertEqual(try get(guest, "-p", local + "/ethernet@ff0e0000"), "interrupts-extended\nreset-gpios")
        XCTAssertEqual(try get(guest, "-t", "u", local + "/ethernet@ff0e0000", "interrupts-extended"), "16")
        XCTAssertEqual(try get(guest, "-t", "u", local + "/ethernet@ff0e0000", "reset-gpios"), "0")
    }

    func testTheGuestCopyAppliesToAGuestTree() throws {
        let (_, guest) = try rewrite(Self.overlay)
        let merged = try DeviceTreeTools.overlay(base: try Fixtures.compile(Self.guestBase, symbols: false), [guest])
        for node in ["/gpio@ff0a0000", "/ethernet@ff0e0000/mdio/phy", "/serial@ff010000"] {
            XCTAssertEqual(try get(merged, "-t", "x", node, "interrupt-parent"), "fde8", node)
        }
        // fdtoverlay renumbered the overlay's phandles; the local references followed.
        let controller = try get(merged, "-t", "x", "/gpio@ff0a0000", "phandle")
        XCTAssertNotEqual(controller, "fde8")
        XCTAssertEqual(try get(merged, "-t", "x", "/gpio@ff0a0000/child", "interrupt-parent"), controller)
        XCTAssertEqual(try get(merged, "-t", "x", "/ethernet@ff0e0000", "interrupts-extended"), "fde8 0 3f 4 \(controller) 40 4")
        XCTAssertEqual(try get(merged, "-t", "x", "/ethernet@ff0e0000", "reset-gpios"), "\(controller) 1 0")
        XCTAssertFalse(try get(merged, "-l", "/").contains("__symbols__"))
    }

    func testTheFixtureOverlayRewritesAndStaysAnOverlay() throws {
        let (_, guest) = try rewrite(Fixtures.pathOverlay)
        let overlay = try Overlay(try DeviceTree(validating: guest))
        XCTAssertEqual(overlay.fragments.map(\.target), [.path("/"), .path("/")])
        XCTAssertEqual(overlay.fragments.map(\.nodes), [["ethernet@ff0e0000"], ["gpio@2000"]])
    }

    func testWhatCannotBeTranslatedIsRefused() throws {
        func source(_ body: String) -> String {
            "/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { dev@1000 { \(body) }; }; }; };"
        }
        let node = "/fragment@0/__overlay__/dev@1000"
        let cases: [(String, String)] = [
            ("clocks = <&clk 3>;", "overlay node \(node): property clocks references <&clk>, which the guest device tree has no equivalent for"),
            ("interrupt-map = <0 0 0 1 &gic 0 5 4>;", "overlay node \(node): property interrupt-map cannot be translated for the guest (its phandles and cell counts are the host's)"),
            ("interrupts-extended = <&gic 5 4>;", "overlay node \(node): property interrupts-extended has an entry at byte offset 0 with fewer than the 3 interrupt cells its controller takes"),
            ("interrupt-parent = <1 2>;", "overlay node \(node): property interrupt-parent is not one phandle cell"),
        ]
        for (body, message) in cases {
            let overlay = try Overlay(try DeviceTree(validating: try Fixtures.compile(source(body))))
            XCTAssertThrowsError(try GuestOverlay.rewrite(overlay), body) { error in
                XCTAssertEqual((error as? DeviceTreeError)?.message, message)
            }
        }
    }

    func testLiteralPhandles() throws {
        // A literal phandle no overlay node has is the host's: it becomes the guest GIC.
        let literal = "/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { dev@1000 { interrupt-parent = <1>; interrupts = <0 5 4>; }; }; }; };"
        let (_, guest) = try rewrite(literal)
        XCTAssertEqual(try get(guest, "-t", "x", "/fragment@0/__overlay__/dev@1000", "interrupt-parent"), "fde8")
        // A literal phandle of an overlay node would not follow the node when Linux renumbers it.
        let own = """
            /dts-v1/;
            /plugin/;
            / { fragment@0 { target-path = "/soc"; __overlay__ {
                intc@2000 { interrupt-controller; #interrupt-cells = <2>; phandle = <7>; };
                dev@1000 { interrupt-parent = <7>; interrupts = <5 4>; };
            }; }; };
            """
        let overlay = try Overlay(try DeviceTree(validating: try Fixtures.compile(own)))
        XCTAssertThrowsError(try GuestOverlay.rewrite(overlay)) { error in
            XCTAssertEqual((error as? DeviceTreeError)?.message, "overlay node /fragment@0/__overlay__/dev@1000: property interrupt-parent refers to overlay node /fragment@0/__overlay__/intc@2000 by its literal phandle 0x7 without a __local_fixups__ entry; applying the overlay renumbers the node but not the reference, so refer to it by label (<&label>)")
        }
    }

    func testInterruptsExtendedNeedsTheLocalControllersCellCount() throws {
        let source = """
            /dts-v1/;
            /plugin/;
            / { fragment@0 { target-path = "/soc"; __overlay__ {
                clk: clock@3000 { #clock-cells = <0>; };
                dev@1000 { interrupts-extended = <&clk 5 4>; };
            }; }; };
            """
        let overlay = try Overlay(try DeviceTree(validating: try Fixtures.compile(source)))
        XCTAssertThrowsError(try GuestOverlay.rewrite(overlay)) { error in
            XCTAssertEqual((error as? DeviceTreeError)?.message, "overlay node /fragment@0/__overlay__/dev@1000: property interrupts-extended refers to overlay node /fragment@0/__overlay__/clock@3000, which is not an interrupt controller with #interrupt-cells")
        }
    }

    func testWithTheHostTreeOnlyTheGICCanBecomeTheGuestGIC() throws {
        let host = try DeviceTree(validating: try Fixtures.compile("""
            /dts-v1/;
            / {
                gic: interrupt-controller@8000000 { interrupt-controller; #interrupt-cells = <3>; };
                gpio: gpio@9030000 { gpio-controller; interrupt-controller; #interrupt-cells = <2>; };
            };
            """))
        func source(_ parent: String) -> String {
            "/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { dev@1000 { interrupt-parent = <\(parent)>; interrupts = <5 4>; }; }; }; };"
        }
        let gic = try Overlay(try DeviceTree(validating: try Fixtures.compile(source("&gic"))))
        XCTAssertEqual(try get(try GuestOverlay.rewrite(gic, host: host).bytes, "-t", "x", "/fragment@0/__overlay__/dev@1000", "interrupt-parent"), "fde8")
        let gpio = try Overlay(try DeviceTree(validating: try Fixtures.compile(source("&gpio"))))
        XCTAssertThrowsError(try GuestOverlay.rewrite(gpio, host: host)) { error in
            XCTAssertEqual((error as? DeviceTreeError)?.message, "overlay node /fragment@0/__overlay__/dev@1000: property interrupt-parent references <&gpio>, host node /gpio@9030000, which is not the GIC; the guest has no other interrupt controller")
        }
        // Without the host tree there is nothing to compare with.
        XCTAssertNoThrow(try GuestOverlay.rewrite(gpio))
    }
}
