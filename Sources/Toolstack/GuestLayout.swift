// SPDX-License-Identifier: Apache-2.0
import XenControl

/// The ARM guest memory map and interrupt numbers of `xen/include/public/arch-arm.h` and `device_tree_defs.h`.
enum GuestLayout {
    static let phandleGIC: UInt32 = 65000
    static let phandleIOMMU: UInt32 = 65001
    static let rootAddressCells: UInt32 = 2
    static let rootSizeCells: UInt32 = 2

    static let gicdBase: UInt64 = 0x0300_1000
    static let gicdSize: UInt64 = 0x1000
    static let giccBase: UInt64 = 0x0300_2000
    static let giccSize: UInt64 = 0x2000
    static let gicv3DistributorSize: UInt64 = 0x1_0000
    static let gicv3Redistributor0Base: UInt64 = 0x0302_0000
    static let gicv3Redistributor0Size: UInt64 = 0x0100_0000
    static let gicv3RedistributorStride: UInt32 = 0x2_0000

    static let pl011Base: UInt64 = 0x2200_0000
    static let pl011Size: UInt64 = 0x1000
    /// `GUEST_VPL011_SPI`.
    static let vpl011SPI: UInt32 = 32

    static let grantTableBase: UInt64 = 0x3800_0000
    static let grantTableSize: UInt64 = 0x0100_0000

    /// `GUEST_MAGIC_BASE`, `GUEST_MAGIC_SIZE`: the console, xenstore and other special pages.
    static let magicBase: UInt64 = 0x3900_0000
    static let magicSize: UInt64 = 0x0100_0000
    static let timerSecurePPI: UInt32 = 29
    static let timerNonSecurePPI: UInt32 = 30
    static let timerVirtualPPI: UInt32 = 27
    static let eventChannelPPI: UInt32 = 31

    /// `PSCI_cpu_off` and `PSCI_cpu_on`, the PSCI 0.1 function ids Xen implements.
    static let psciCPUOff: UInt32 = 1
    static let psciCPUOn: UInt32 = 2
}
