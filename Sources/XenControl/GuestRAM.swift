// SPDX-License-Identifier: Apache-2.0
/// The RAM banks of an ARM guest (`GUEST_RAM0_*`, `GUEST_RAM1_*` in `xen/include/public/arch-arm.h`) and
/// how the domain builder fills them: bank 0 first, the rest from the start of bank 1.
public enum GuestRAM {
    /// `GUEST_RAM0_BASE`, `GUEST_RAM0_SIZE` (3 GiB at 1 GiB) and `GUEST_RAM1_BASE`, `GUEST_RAM1_SIZE` (1016 GiB at 8 GiB).
    public static let banks: [Range<UInt64>] = [0x4000_0000..<0x1_0000_0000, 0x2_0000_0000..<0x100_0000_0000]

    /// The guest physical ranges `bytes` of RAM occupy; empty banks are left out.
    public static func populated(bytes: UInt64) -> [Range<UInt64>] {
        var left = bytes
        var ranges: [Range<UInt64>] = []
        for bank in banks where left > 0 {
            let size = min(left, bank.upperBound - bank.lowerBound)
            ranges.append(bank.lowerBound..<(bank.lowerBound + size))
            left -= size
        }
        return ranges
    }
}
