// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// A `xen,domain-shared-memory-v1` node of a dom0less domain, checked as `process_shm_node` checks it.
public struct Dom0lessSharedMemory: Hashable, Sendable {
    /// `xen,shm-id`, shorter than 16 characters.
    public var id: String
    /// `role`: `true` for `"borrower"`; absent or `"owner"` is the owner.
    public var isBorrower: Bool
    /// The host physical address; `nil` when Xen chooses it (4.19+ two-value form).
    public var hostAddress: UInt64?
    public var guestAddress: UInt64
    public var size: UInt64

    /// Xen's `MAX_SHM_ID_LENGTH`.
    public static let maxIDLength = 16

    init(_ tree: DeviceTree, path: String, domain: String, version: XenVersion) throws(DeviceTreeError) {
        let addressCells = Int(tree.property("#address-cells", of: domain)?.deviceTreeCells?.first ?? 0)
        let sizeCells = Int(tree.property("#size-cells", of: domain)?.deviceTreeCells?.first ?? 0)
        guard addressCells >= 1, sizeCells >= 1 else {
            throw DeviceTreeError("fdt: invalid #address-cells or #size-cells for static shared memory node. (\(path))")
        }
        guard let id = tree.property("xen,shm-id", of: path)?.deviceTreeString else { throw DeviceTreeError("\(path): xen,shm-id is missing") }
        guard id.utf8.count < Self.maxIDLength else {
            throw DeviceTreeError("fdt: invalid xen,shm-id \(id), it must be limited to \(Self.maxIDLength) characters")
        }
        self.id = id
        switch tree.property("role", of: path).map({ $0.deviceTreeString }) {
        case nil, "owner": isBorrower = false
        case "borrower": isBorrower = true
        default: throw DeviceTreeError("fdt: invalid `role` property for static shared memory node. (\(path))")
        }
        let cells = tree.property("xen,shared-mem", of: path)?.deviceTreeCells ?? []
        let full = 2 * addressCells + sizeCells
        let short = addressCells + sizeCells
        if cells.count == full {
            hostAddress = Dom0lessDomainNode.join(cells[0..<addressCells])
            guestAddress = Dom0lessDomainNode.join(cells[addressCells..<(2 * addressCells)])
        } else if cells.count == short {
            guard version >= .v4_19 else { throw DeviceTreeError("fdt: host physical address must be chosen by users at the moment. (\(path))") }
            hostAddress = nil
            guestAddress = Dom0lessDomainNode.join(cells[0..<addressCells])
        } else {
            throw DeviceTreeError("fdt: invalid `xen,shared-mem` property. (\(path))")
        }
        size = Dom0lessDomainNode.join(cells[(cells.count - sizeCells)...])
        if let hostAddress {
            guard hostAddress % 4096 == 0 else { throw DeviceTreeError("fdt: physical address 0x\(String(hostAddress, radix: 16)) is not suitably aligned.") }
            guard hostAddress.addingReportingOverflow(size).overflow == false else { throw DeviceTreeError("fdt: static shared memory region \(id) overflow") }
        }
        guard guestAddress % 4096 == 0 else { throw DeviceTreeError("fdt: guest address 0x\(String(guestAddress, radix: 16)) is not suitably aligned.") }
        guard size != 0 else { throw DeviceTreeError("fdt: the size for static shared memory region can not be zero") }
        guard size % 4096 == 0 else { throw DeviceTreeError("fdt: size 0x\(String(size, radix: 16)) is not suitably aligned") }
    }

    /// Same id ⇒ same region; different ids ⇒ different regions.
    static func checkConsistent(_ regions: [Dom0lessSharedMemory]) throws(DeviceTreeError) {
        for (i, a) in regions.enumerated() {
            for b in regions[(i + 1)...] {
                let sameRegion = a.size == b.size && (a.hostAddress == nil || b.hostAddress == nil || a.hostAddress == b.hostAddress)
                if a.id == b.id, !sameRegion {
                    throw DeviceTreeError("fdt: different shared memory region could not share the same shm ID \(a.id)")
                }
                if a.id != b.id, a.hostAddress != nil, a.hostAddress == b.hostAddress, a.size == b.size {
                    throw DeviceTreeError("fdt: xen,shm-id \(a.id) does not match for all the nodes using the same region")
                }
            }
        }
    }
}
