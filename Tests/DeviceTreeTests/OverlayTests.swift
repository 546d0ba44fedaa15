// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import TestSupport
import XCTest

final class OverlayTests: XCTestCase {
    func testFragmentsTargetsAndNodes() throws {
        let overlay = try Overlay(try DeviceTree(validating: try Fixtures.compile(Fixtures.pathOverlay)))
        XCTAssertEqual(overlay.fragments.map(\.name), ["fragment@0", "fragment@1"])
        XCTAssertEqual(overlay.fragments[0].target, .path("/passthrough"))
        XCTAssertEqual(overlay.fragments[1].target, .label("soc"))
        XCTAssertEqual(overlay.fragments[0].nodes, ["ethernet@ff0e0000"])
        XCTAssertEqual(overlay.fragments[1].nodes, ["gpio@2000"])
        XCTAssertFalse(overlay.fragments[0].changesTargetProperties)
    }

    func testLabelTargetsResolveThroughHostSymbols() throws {
        let overlay = try Overlay(try DeviceTree(validating: try Fixtures.compile(Fixtures.pathOverlay)))
        let withSymbols = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        let withoutSymbols = try DeviceTree(validating: try Fixtures.compile(Fixtures.base, symbols: false))
        XCTAssertEqual(Overlay.resolve(overlay.fragments[1].target, in: withSymbols), "/soc")
        XCTAssertNil(Overlay.resolve(overlay.fragments[1].target, in: withoutSymbols))
        XCTAssertEqual(Overlay.resolve(.path("/soc"), in: withoutSymbols), "/soc")
        XCTAssertNil(Overlay.resolve(.path("/nope"), in: withoutSymbols))
    }

    func testApplyingAgreesWithFdtoverlay() throws {
        let base = try Fixtures.compile(Fixtures.base)
        let overlayBlob = try Fixtures.compile(Fixtures.pathOverlay)
        let ours = try DeviceTree(validating: base).applying(try DeviceTree(validating: overlayBlob))
        let reference = try DeviceTreeTools.overlay(base: base, [overlayBlob])
        XCTAssertEqual(try DeviceTreeTools.decompile(ours.bytes), try DeviceTreeTools.decompile(reference))
    }

    func testResourcesOfAppliedNodes() throws {
        let base = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        let merged = try base.applying(try DeviceTree(validating: try Fixtures.compile(Fixtures.pathOverlay)))
        let ethernet = try merged.resources(of: "/passthrough/ethernet@ff0e0000")
        XCTAssertEqual(ethernet.mmio, [MMIORange(address: 0xff0e_0000, size: 0x1000)])
        XCTAssertEqual(ethernet.irqs, [95, 96])
        XCTAssertTrue(ethernet.usesIOMMU)
        let gpio = try merged.resources(of: "/soc/gpio@2000")
        XCTAssertEqual(gpio.mmio, [MMIORange(address: 0xf000_2000, size: 0x100)])
        XCTAssertEqual(gpio.irqs, [41])
        XCTAssertTrue(gpio.passthrough)
        // The fdtget view of the same node, read independently.
        XCTAssertEqual(try DeviceTreeTools.get(merged.bytes, ["-t", "x", "/soc/gpio@2000", "reg"]), "2000 100")
    }

    func testApplyingToATreeWithoutSymbolsFailsWithTheLibfdtCode() throws {
        let base = try DeviceTree(validating: try Fixtures.compile(Fixtures.base, symbols: false))
        let overlay = try DeviceTree(validating: try Fixtures.compile(Fixtures.pathOverlay))
        XCTAssertThrowsError(try base.applying(overlay)) { error in
            XCTAssertEqual((error as? DeviceTreeError)?.fdt?.name, "FDT_ERR_NOTFOUND")
        }
    }

    func testNotAnOverlay() throws {
        let plain = try DeviceTree(validating: try Fixtures.compile(Fixtures.base))
        XCTAssertThrowsError(try Overlay(plain)) { XCTAssertTrue("\($0)".contains("no fragment has an __overlay__")) }
        let noTarget = try DeviceTree(validating: try Fixtures.compile("/dts-v1/;\n/plugin/;\n/ { fragment@0 { __overlay__ { x { }; }; }; };"))
        XCTAssertThrowsError(try Overlay(noTarget)) { XCTAssertTrue("\($0)".contains("fragment@0 has neither target-path nor target")) }
        let badPath = try DeviceTree(validating: try Fixtures.compile("/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = <1>; __overlay__ { x { }; }; }; };"))
        XCTAssertThrowsError(try Overlay(badPath)) { XCTAssertTrue("\($0)".contains("target-path is not an absolute path")) }
    }

    func testPropertyOnlyFragment() throws {
        let blob = try Fixtures.compile("/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { status = \"okay\"; }; }; };")
        let overlay = try Overlay(try DeviceTree(validating: blob))
        XCTAssertEqual(overlay.fragments[0].nodes, [])
        XCTAssertTrue(overlay.fragments[0].changesTargetProperties)
    }
}
