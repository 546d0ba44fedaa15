// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenControl

/// The placement of libxenguest's ARM builder (`xg_dom_arm.c` `meminit`, the arm64 `Image` loader),
/// worked out by hand from that code for each branch.
final class ARMBootLayoutTests: XCTestCase {
    private func image(_ bytes: Int, textOffset: UInt64 = 0, v0: Bool = false) -> [UInt8] {
        var kernel = [UInt8](repeating: 0, count: bytes)
        if v0 {
            kernel.replaceSubrange(0..<4, with: [0x08, 0x00, 0x00, 0x14])
        } else {
            kernel.replaceSubrange(0x38..<0x3C, with: Array("ARM\u{64}".utf8))
        }
        for index in 0..<8 { kernel[8 + index] = UInt8(truncatingIfNeeded: textOffset >> (8 * index)) }
        return kernel
    }

    func testOnlyArm64ImagesAreLoadable() {
        XCTAssertEqual(ARMBootLayout.imageTextOffset(image(64, textOffset: 0x80000)), 0x80000)
        XCTAssertEqual(ARMBootLayout.imageTextOffset(image(64, v0: true)), 0)
        XCTAssertNil(ARMBootLayout.imageTextOffset(Array(image(64).prefix(63))), "shorter than the header")
        XCTAssertNil(ARMBootLayout.imageTextOffset([UInt8](repeating: 0, count: 4096)))
        XCTAssertThrowsError(try ARMBootLayout(kernel: [0x1F, 0x8B, 8], ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 65536)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .notAnImage)
        }
        XCTAssertThrowsError(try ARMBootLayout(kernel: image(64, textOffset: UInt64.max - 0x4000_0000), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 65536)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .kernelTooLarge)
        }
    }

    func testModulesGoAt128MiBWhenTheyFitThere() throws {
        let layout = try ARMBootLayout(kernel: image(5 << 20, textOffset: 0x80000), ramdiskBytes: 10_000, deviceTreeBytes: 3000, memoryKiB: 512 << 10)
        XCTAssertEqual(layout.kernelStart, 0x4008_0000)
        XCTAssertEqual(layout.kernelEnd, 0x4008_0000 + (5 << 20))
        XCTAssertEqual(layout.ramdiskStart, 0x4800_0000)
        XCTAssertEqual(layout.ramdiskEnd, 0x4800_3000, "page-rounded")
        XCTAssertEqual(layout.deviceTreeStart, 0x4800_3000)
        XCTAssertEqual(layout.bankBytes, [512 << 20, 0])
    }

    func testSmallGuestsGetTheModulesAtTheTopOfBank0() throws {
        let layout = try ARMBootLayout(kernel: image(4096), ramdiskBytes: 8192, deviceTreeBytes: 100, memoryKiB: 64 << 10)
        XCTAssertEqual(layout.ramdiskStart, 0x4400_0000 - 3 * 4096)
        XCTAssertEqual(layout.deviceTreeStart, 0x4400_0000 - 4096)
    }

    func testAKernelPast128MiBPushesTheModulesToTheTopOrBelowIt() throws {
        let high = try ARMBootLayout(kernel: image(4096, textOffset: 200 << 20), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 512 << 10)
        XCTAssertEqual(high.deviceTreeStart, 0x4000_0000 + (512 << 20) - 4096)
        // The kernel fills bank 0 to its end: the modules go just below it.
        let below = try ARMBootLayout(kernel: image((62 << 20) - 4096, textOffset: 2 << 20), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 64 << 10)
        XCTAssertEqual(below.deviceTreeStart, 0x4020_0000 - 4096)
        XCTAssertThrowsError(try ARMBootLayout(kernel: image(63 << 20), ramdiskBytes: 2 << 20, deviceTreeBytes: 100, memoryKiB: 64 << 10)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .memory)
        }
        XCTAssertThrowsError(try ARMBootLayout(kernel: image(4096, textOffset: 64 << 20), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 64 << 10)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .kernelOutsideRAM, "the kernel starts where RAM ends")
        }
    }

    func testRAMFillsBank0ThenBank1InWholeMiB() throws {
        XCTAssertEqual(ARMBootLayout.banks(memoryKiB: 4 << 20), [3 << 30, 1 << 30])
        XCTAssertEqual(ARMBootLayout.banks(memoryKiB: 1536), [1 << 20, 0])
        XCTAssertThrowsError(try ARMBootLayout(kernel: image(64), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 1023)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .memory, "xc_dom_mem_init takes whole MiB: none")
        }
        XCTAssertThrowsError(try ARMBootLayout(kernel: image(64), ramdiskBytes: nil, deviceTreeBytes: 100, memoryKiB: 1020 << 20)) {
            XCTAssertEqual($0 as? ARMBootLayout.Failure, .memory, "more than GUEST_RAM_MAX")
        }
    }
}
