// SPDX-License-Identifier: Apache-2.0
/// A disk's `vdev` as the device number libxl uses for its devid (`libxl__device_disk_dev_number`): `xvdX[N]`
/// and `dXpY` on Xen's major 202 (or the extended form past 15 disks or partitions), a plain number as is,
/// `hdX[N]` on IDE's majors 3 and 22, `sdX[N]` on SCSI's 8.
public enum VirtualDiskNumber {
    /// The device number; nil for a name libxl does not accept.
    public static func of(_ vdev: String) -> Int? {
        if let (disk, partition) = dp(vdev) ?? named(vdev, prefix: "xvd", maxDisk: (1 << 20) - 1, maxPartition: 255) {
            return disk <= 15 && partition <= 15 ? (202 << 8) | (disk << 4) | partition : (1 << 28) | (disk << 8) | partition
        }
        if let number = plainNumber(vdev) { return number }
        if let (disk, partition) = named(vdev, prefix: "hd", maxDisk: 3, maxPartition: 63) {
            return ((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | partition
        }
        if let (disk, partition) = named(vdev, prefix: "sd", maxDisk: 15, maxPartition: 15) {
            return (8 << 8) | (disk << 4) | partition
        }
        return nil
    }

    /// `d<disk>p<partition>`.
    private static func dp(_ text: String) -> (Int, Int)? {
        guard text.hasPrefix("d"), let p = text.firstIndex(of: "p") else { return nil }
        guard let disk = decimal(text[text.index(after: text.startIndex)..<p]), let partition = decimal(text[text.index(after: p)...]),
            disk < 1 << 20, partition < 256
        else { return nil }
        return (disk, partition)
    }

    /// `<prefix><letters>[<partition>]`: letters a..z, aa.. as bijective base 26 (`xvdaa` is disk 26).
    private static func named(_ text: String, prefix: String, maxDisk: Int, maxPartition: Int) -> (Int, Int)? {
        guard text.hasPrefix(prefix) else { return nil }
        let rest = Array(text.utf8.dropFirst(prefix.utf8.count))
        let letters = rest.prefix { $0 >= 0x61 && $0 <= 0x7a }
        guard !letters.isEmpty, letters.count <= 6 else { return nil }
        var disk = -1
        for letter in letters { disk = (disk + 1) * 26 + Int(letter - 0x61) }
        guard disk <= maxDisk else { return nil }
        let digits = rest.dropFirst(letters.count)
        if digits.isEmpty { return (disk, 0) }
        guard digits.first != 0x30, let partition = decimal(Substring(decoding: digits, as: UTF8.self)), partition >= 1, partition <= maxPartition
        else { return nil }
        return (disk, partition)
    }

    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// `strtoul(..., 0)` of the whole text: decimal, `0x` hex or leading-zero octal, up to `INT_MAX`.
    private static func plainNumber(_ text: String) -> Int? {
        let lower = text.lowercased()
        let value: Int?
        if lower.hasPrefix("0x") {
            value = Int(lower.dropFirst(2), radix: 16)
        } else if lower.hasPrefix("0"), lower.count > 1 {
            value = Int(lower.dropFirst(), radix: 8)
        } else {
            value = lower.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int(lower) : nil
        }
        guard let value, value >= 0, value <= Int(Int32.max) else { return nil }
        return value
    }
}
