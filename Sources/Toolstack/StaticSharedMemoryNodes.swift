// SPDX-License-Identifier: Apache-2.0
import XLConfig

/// The guest's `/reserved-memory` for `static_shm`, as Linux's `xen,shared-memory-v1` binding reads it: one
/// `xen-shmem@<begin>` per region with `compatible`, `reg`, `xen,id`, and for borrowers `xen,offset` (64 bits).
///
/// `reg` is where the region is in this guest, `begin`, for owners and borrowers alike; the Xilinx fork put a
/// borrower's node at `begin + offset`, where nothing is mapped.
enum StaticSharedMemoryNodes {
    static func reservedMemory(_ regions: [StaticSharedMemory]) -> DeviceTreeNode? {
        guard !regions.isEmpty else { return nil }
        let cells = [UInt8].deviceTreeCells
        var node = DeviceTreeNode("reserved-memory", [
            ("#address-cells", cells([GuestLayout.rootAddressCells])), ("#size-cells", cells([GuestLayout.rootSizeCells])), ("ranges", []),
        ])
        for region in regions.sorted(by: { $0.begin < $1.begin }) {
            var properties: [(String, [UInt8])] = [
                ("compatible", .deviceTreeStrings(["xen,shared-memory-v1"])),
                ("reg", GuestDeviceTree.region(region.begin, region.size)),
                ("xen,id", .deviceTreeStrings([region.id])),
            ]
            if region.role == .borrower {
                properties.append(("xen,offset", cells([UInt32(region.offset >> 32), UInt32(region.offset & 0xFFFF_FFFF)])))
            }
            node.children.append(DeviceTreeNode("xen-shmem@\(GuestDeviceTree.hex(region.begin))", properties))
        }
        return node
    }
}
