// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// Run-time shared memory between domains: the Xilinx fork's `XENMAPSPACE_gmfn_share`, `XENMEM_remove_from_physmap`,
/// and guest accesses to RAM, so tests can see that a page written through one domain is read through another.
extension SimulatedHypervisor {
    /// Most bytes one guest memory access may touch.
    public static let maximumAccessBytes = 1 << 20

    public func mapSharedPages(_ domain: DomainID, from owner: DomainID, ownerGFN: UInt64, gfn: UInt64, count: UInt64) throws(HypervisorError) -> [Errno?] {
        let name = "XENMEM_add_to_physmap_batch"
        try injectedFailure(name)
        guard count > 0, count <= DomainControlLimits.sharedMappingBatch,
            !ownerGFN.addingReportingOverflow(count).overflow, !gfn.addingReportingOverflow(count).overflow
        else { throw HypervisorError(name, errno: .EINVAL) }
        _ = try domainIndex(domain, name)
        switch state.flavour {
        case .upstream:
            // xenmem_add_to_physmap_one on ARM: an unknown map space fails each page with ENOSYS.
            return [Errno?](repeating: .ENOSYS, count: Int(count))
        case .xilinx:
            return (0..<count).map { mapSharedPage(domain, from: owner, ownerGFN: ownerGFN + $0, gfn: gfn + $0) }
        }
    }

    public func removeFromPhysmap(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        let name = "XENMEM_remove_from_physmap"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        // xl only ever unmaps pages of other domains; the simulator does not model holes in a guest's own RAM.
        guard let frame = state.domains[index].p2m[gfn], state.memory.pages[frame]?.owner != domain else {
            throw HypervisorError(name, errno: .ENOENT)
        }
        state.domains[index].p2m[gfn] = nil
        dropReference(frame)
    }

    /// Drops one reference to a tracked page. A page left with only its owner's reference and never written is
    /// untracked again, so that the state after unmapping equals the state before mapping.
    func dropReference(_ frame: UInt64) {
        state.memory.release(frame)
        guard let page = state.memory.pages[frame], page.references == 1, page.bytes == nil,
            let owner = state.index(of: page.owner), state.domains[owner].p2m[page.gfn] == frame
        else { return }
        state.domains[owner].p2m[page.gfn] = nil
        state.memory.release(frame)
    }

    /// What `domain` reads at guest physical `address`: its RAM (zero where never written) or pages mapped from
    /// another domain. `EFAULT` for an address outside both, `EINVAL` for more than ``maximumAccessBytes``.
    public func readGuestMemory(_ domain: DomainID, at address: UInt64, count: Int) throws(HypervisorError) -> [UInt8] {
        let name = "guest read"
        let index = try domainIndex(domain, name)
        try checkAccess(address, count, name)
        var result: [UInt8] = []
        var cursor = address
        let end = address + UInt64(count)
        while cursor < end {
            let gfn = cursor / SimulatedMemory.pageSize
            let offset = Int(cursor % SimulatedMemory.pageSize)
            let length = Int(min(end - cursor, SimulatedMemory.pageSize - UInt64(offset)))
            if let frame = state.domains[index].p2m[gfn] {
                let bytes = state.memory.pages[frame]?.bytes ?? [UInt8](repeating: 0, count: Int(SimulatedMemory.pageSize))
                result += bytes[offset..<(offset + length)]
            } else if isOwnRAM(index, gfn) {
                result += [UInt8](repeating: 0, count: length)
            } else {
                throw HypervisorError(name, errno: .EFAULT)
            }
            cursor += UInt64(length)
        }
        return result
    }

    /// Writes `bytes` as `domain` would at guest physical `address`: into its RAM or into pages mapped from another
    /// domain, which that domain then reads. Nothing is written unless every page is reachable.
    public func writeGuestMemory(_ domain: DomainID, at address: UInt64, _ bytes: [UInt8]) throws(HypervisorError) {
        let name = "guest write"
        let index = try domainIndex(domain, name)
        try checkAccess(address, bytes.count, name)
        let first = address / SimulatedMemory.pageSize
        let last = (address + UInt64(bytes.count) - 1) / SimulatedMemory.pageSize
        for gfn in first...last where state.domains[index].p2m[gfn] == nil && !isOwnRAM(index, gfn) {
            throw HypervisorError(name, errno: .EFAULT)
        }
        var written = 0
        var cursor = address
        while written < bytes.count {
            let gfn = cursor / SimulatedMemory.pageSize
            let offset = Int(cursor % SimulatedMemory.pageSize)
            let length = min(bytes.count - written, Int(SimulatedMemory.pageSize) - offset)
            guard let frame = try trackedFrame(index, gfn, name) else { throw HypervisorError(name, errno: .EFAULT) }
            state.memory.write(frame, at: offset, bytes[written..<(written + length)])
            written += length
            cursor += UInt64(length)
        }
    }

    /// One page of `XENMAPSPACE_gmfn_share`: Xen's per-page result.
    private func mapSharedPage(_ domain: DomainID, from owner: DomainID, ownerGFN: UInt64, gfn: UInt64) -> Errno? {
        guard let ownerIndex = state.index(of: owner) else { return .ESRCH }
        guard owner != domain, let index = state.index(of: domain) else { return .EINVAL }
        // The owner's frame must be RAM it holds (p2m_lookup), the borrower's must be free.
        guard state.domains[ownerIndex].p2m[ownerGFN] != nil || isOwnRAM(ownerIndex, ownerGFN) else { return .EINVAL }
        if let frame = state.domains[ownerIndex].p2m[ownerGFN], state.memory.pages[frame]?.owner != owner { return .EINVAL }
        guard state.domains[index].p2m[gfn] == nil, !isOwnRAM(index, gfn) else { return .EBUSY }
        let frame: UInt64
        do throws(HypervisorError) {
            guard let tracked = try trackedFrame(ownerIndex, ownerGFN, "XENMEM_add_to_physmap_batch") else { return .EINVAL }
            frame = tracked
        } catch {
            return error.errno
        }
        state.memory.retain(frame)
        state.domains[index].p2m[gfn] = frame
        return nil
    }

    /// The machine frame behind `gfn` of the domain at `index`, tracking its own RAM page from now on if it was not;
    /// nil when the frame is neither tracked nor RAM.
    private func trackedFrame(_ index: Int, _ gfn: UInt64, _ name: String) throws(HypervisorError) -> UInt64? {
        if let frame = state.domains[index].p2m[gfn] { return frame }
        guard isOwnRAM(index, gfn) else { return nil }
        guard let frame = state.memory.allocate(owner: state.domains[index].id, gfn: gfn) else { throw HypervisorError(name, errno: .ENOMEM) }
        state.domains[index].p2m[gfn] = frame
        return frame
    }

    /// Whether `gfn` is in the RAM the domain builder populated for the domain at `index`.
    private func isOwnRAM(_ index: Int, _ gfn: UInt64) -> Bool {
        guard let filled = state.domains[index].guest?.layout?.bankBytes, gfn < UInt64.max / SimulatedMemory.pageSize else { return false }
        let address = gfn * SimulatedMemory.pageSize
        return zip(GuestRAM.banks, filled).contains { bank, bytes in
            address >= bank.lowerBound && address - bank.lowerBound < bytes
        }
    }

    private func checkAccess(_ address: UInt64, _ count: Int, _ name: String) throws(HypervisorError) {
        guard count > 0, count <= Self.maximumAccessBytes, !address.addingReportingOverflow(UInt64(count)).overflow else {
            throw HypervisorError(name, errno: .EINVAL)
        }
    }
}
