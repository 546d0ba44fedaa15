// SPDX-License-Identifier: Apache-2.0
/// Where libxenguest's ARM domain builder puts an arm64 guest's kernel, ramdisk and device tree: the arm64
/// `Image` loader (kernel at RAM base + `text_offset`) and `meminit` of `xg_dom_arm.c` (ramdisk then device
/// tree at 128 MiB into RAM when they fit there, else at the top of the first bank, else just below the kernel).
///
/// The toolstack uses it to predict the `/chosen/linux,initrd-*` values it writes; the simulated builder
/// uses it to place the images. On real Xen libxenguest decides, and the real backend writes what it chose.
public struct ARMBootLayout: Hashable, Sendable, Codable {
    public var kernelStart: UInt64
    public var kernelEnd: UInt64
    /// The ramdisk segment, page-rounded; libxl writes its start and end as `linux,initrd-start/-end`.
    public var ramdiskStart: UInt64?
    public var ramdiskEnd: UInt64?
    public var deviceTreeStart: UInt64
    /// Bytes of RAM in each bank (`GUEST_RAM_BANK_BASES`).
    public var bankBytes: [UInt64]

    /// `GUEST_RAM0_BASE` and `GUEST_RAM1_BASE`.
    public static let bankBases = GuestRAM.banks.map(\.lowerBound)
    /// `GUEST_RAM0_SIZE` (3 GiB) and `GUEST_RAM1_SIZE` (1016 GiB).
    public static let bankLimits = GuestRAM.banks.map { $0.upperBound - $0.lowerBound }
    /// The arm64 `Image` header is 64 bytes.
    public static let imageHeaderBytes = 64

    /// Why the builder refuses: the libxenguest call that fails.
    public enum Failure: Error, Hashable, Sendable {
        /// `xc_dom_parse_image`: no loader takes the kernel (neither arm64 `Image` magic is there).
        case notAnImage
        /// `xc_dom_parse_image`: `text_offset` or the kernel size runs past the address space.
        case kernelTooLarge
        /// `xc_dom_build_image`: the kernel does not end inside the first RAM bank, so its segment has no pages.
        case kernelOutsideRAM
        /// `xc_dom_boot_mem_init`: no RAM, more than the guest address space, or no room for the modules.
        case memory
    }

    /// The `text_offset` of an arm64 `Image` (`xc_dom_probe_zimage64_kernel`: the v0 branch instruction
    /// `0x14000008` at 0, or "ARM\x64" at 0x38); nil for anything else.
    public static func imageTextOffset(_ kernel: [UInt8]) -> UInt64? {
        guard kernel.count >= imageHeaderBytes else { return nil }
        let word = { (offset: Int) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(kernel[offset + $1]) << (8 * $1) } }
        guard word(0) == 0x1400_0008 || word(0x38) == 0x644D_5241 else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(kernel[8 + $1]) << (8 * $1) }
    }

    /// A layout as libxenguest reported it.
    public init(kernelStart: UInt64, kernelEnd: UInt64, ramdiskStart: UInt64?, ramdiskEnd: UInt64?, deviceTreeStart: UInt64, bankBytes: [UInt64]) {
        self.kernelStart = kernelStart
        self.kernelEnd = kernelEnd
        self.ramdiskStart = ramdiskStart
        self.ramdiskEnd = ramdiskEnd
        self.deviceTreeStart = deviceTreeStart
        self.bankBytes = bankBytes
    }

    /// Bytes of RAM in each bank for `memoryKiB` (whole MiB, as `xc_dom_mem_init` takes it).
    public static func banks(memoryKiB: UInt64) -> [UInt64] {
        var left = memoryKiB / 1024 * (1 << 20)
        return bankLimits.map { limit in
            let bytes = min(left, limit)
            left -= bytes
            return bytes
        }
    }

    /// Places the images as the builder does for `memoryKiB` of RAM (`xc_dom_mem_init` takes whole MiB).
    public init(kernel: [UInt8], ramdiskBytes: Int?, deviceTreeBytes: Int, memoryKiB: UInt64) throws(Failure) {
        guard let textOffset = Self.imageTextOffset(kernel) else { throw .notAnImage }
        let base = Self.bankBases[0]
        let (start, startOverflow) = base.addingReportingOverflow(textOffset)
        let (end, endOverflow) = start.addingReportingOverflow(UInt64(kernel.count))
        guard !startOverflow, !endOverflow, end <= UInt64.max - (2 << 20) else { throw .kernelTooLarge }
        kernelStart = start
        kernelEnd = end

        let ram = memoryKiB / 1024 * (1 << 20)
        guard ram > 0, ram <= Self.bankLimits.reduce(0, +) else { throw .memory }
        bankBytes = Self.banks(memoryKiB: memoryKiB)

        let page: UInt64 = 4096
        let roundedKernelEnd = Self.roundUp(end, to: 2 << 20)
        let kernelBytes = roundedKernelEnd - start
        let deviceTree = Self.roundUp(UInt64(deviceTreeBytes), to: page)
        let ramdisk = ramdiskBytes.map { Self.roundUp(UInt64($0), to: page) } ?? 0
        let modules = deviceTree + ramdisk
        guard modules <= Self.bankLimits[0], kernelBytes <= Self.bankLimits[0] - modules else { throw .memory }
        let bank0End = base + bankBytes[0]
        guard end <= bank0End else { throw .kernelOutsideRAM }
        let at128MiB = base + (128 << 20)
        var moduleBase: UInt64
        if bank0End >= at128MiB + modules, roundedKernelEnd < at128MiB {
            moduleBase = at128MiB
        } else if bank0End >= modules, bank0End - modules > roundedKernelEnd {
            moduleBase = bank0End - modules
        } else if start - base > modules {
            moduleBase = start - modules
        } else {
            throw .memory
        }
        if ramdiskBytes != nil {
            ramdiskStart = moduleBase
            ramdiskEnd = moduleBase + ramdisk
            moduleBase += ramdisk
        }
        deviceTreeStart = moduleBase
    }

    private static func roundUp(_ value: UInt64, to alignment: UInt64) -> UInt64 {
        (value + alignment - 1) / alignment * alignment
    }
}
