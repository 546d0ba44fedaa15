// SPDX-License-Identifier: Apache-2.0
import XenControl
import XLConfig

/// The checks of `static_shm` regions against the guest's memory map, made before `xl create` changes anything:
/// an owner shares part of its own RAM; a borrower's mapping must land where the guest has nothing else.
enum StaticSharedMemoryLayout {
    /// Guest physical windows Xen and the toolstack use for devices (`xen/include/public/arch-arm.h`).
    static let reservedWindows: [(name: String, range: Range<UInt64>)] = [
        ("the GIC", GuestLayout.gicdBase..<(GuestLayout.gicv3Redistributor0Base + GuestLayout.gicv3Redistributor0Size)),
        ("the vpl011 console", GuestLayout.pl011Base..<(GuestLayout.pl011Base + GuestLayout.pl011Size)),
        ("the grant table", GuestLayout.grantTableBase..<(GuestLayout.grantTableBase + GuestLayout.grantTableSize)),
        ("the magic pages (console, xenstore)", GuestLayout.magicBase..<(GuestLayout.magicBase + GuestLayout.magicSize)),
    ]

    /// Throws one line naming the config location, the spec and the field for the first region that does not fit.
    static func check(_ config: DomainConfig) throws {
        let populated = GuestRAMRanges(bytes: config.targetMemoryKiB * 1024, memory: "memory = \(config.targetMemoryKiB / 1024)")
        let reachable = GuestRAMRanges(bytes: config.maxMemoryKiB * 1024, memory: "maxmem = \(config.maxMemoryKiB / 1024)")
        let iomem = config.iomem.map { range in
            (range, (range.gfn * StaticSharedMemory.pageSize)..<((range.gfn + range.number) * StaticSharedMemory.pageSize))
        }
        for (index, region) in config.staticSharedMemory.enumerated() {
            let fail = { (field: String, message: String) in
                ToolstackError(Self.prefix(config, index) + "\(field): " + message)
            }
            let span = StaticSharedMemory.describe(region.range)
            switch region.role {
            case .owner:
                guard populated.ranges.contains(where: { $0.lowerBound <= region.begin && region.range.upperBound <= $0.upperBound }) else {
                    throw fail("begin", "the owner's region \(span) is not inside its RAM (\(populated.text)): an owner shares "
                        + "part of its own RAM, so place the region there or raise memory")
                }
            case .borrower:
                if let bank = reachable.ranges.first(where: { $0.overlaps(region.range) }) {
                    throw fail("begin", "the borrowed region \(span) overlaps the guest's RAM \(StaticSharedMemory.describe(bank)) "
                        + "(\(reachable.memory)): a borrower maps the owner's pages where it has no memory of its own")
                }
                if let window = reservedWindows.first(where: { $0.range.overlaps(region.range) }) {
                    throw fail("begin", "the borrowed region \(span) overlaps \(window.name) at \(StaticSharedMemory.describe(window.range))")
                }
            }
            if let (range, addresses) = iomem.first(where: { $0.1.overlaps(region.range) }) {
                throw fail("begin", "the region \(span) overlaps iomem \"0x\(String(range.start, radix: 16)),\(String(range.number, radix: 16))"
                    + "@0x\(String(range.gfn, radix: 16))\" mapped at \(StaticSharedMemory.describe(addresses))")
            }
        }
    }

    /// `FILE:LINE:COLUMN: static_shm[N] id=ID: `.
    static func prefix(_ config: DomainConfig, _ index: Int) -> String {
        let location = config.locations[StaticSharedMemory.locationKey(index)].map { "\($0): " } ?? ""
        return location + StaticSharedMemory.label(index: index, id: config.staticSharedMemory[index].id) + ": "
    }
}

/// The guest physical ranges some amount of RAM occupies, and how to name them in a message.
private struct GuestRAMRanges {
    let ranges: [Range<UInt64>]
    let memory: String

    init(bytes: UInt64, memory: String) {
        ranges = GuestRAM.populated(bytes: bytes)
        self.memory = memory
    }

    /// `0x40000000-0x4fffffff, memory = 256`.
    var text: String { (ranges.map(StaticSharedMemory.describe) + [memory]).joined(separator: ", ") }
}
