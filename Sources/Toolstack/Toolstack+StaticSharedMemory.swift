// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// The `static_shm` step of `xl create`: in one xenstore transaction (run again from the start on conflict, so
    /// that borrowers created at the same time all count; see ``StaticSharedMemoryRecords/transaction(_:_:)``), an
    /// owner records its region and a borrower finds the owner's record, checks it, maps the owner's pages and
    /// counts itself in. Mappings are made before the commit and kept across retries that plan the same ones; when
    /// the step fails, every page it mapped is unmapped and nothing is recorded.
    func attachStaticSharedMemory(_ config: DomainConfig, domain: DomainID, control: any DomainControl) throws {
        var mapped: [SharedMapping] = []
        do {
            try StaticSharedMemoryRecords.transaction(xenstore) { records in
                var planned: [SharedMapping] = []
                for (index, spec) in config.staticSharedMemory.enumerated() {
                    let prefix = StaticSharedMemoryLayout.prefix(config, index)
                    switch spec.role {
                    case .owner: try recordOwner(spec, of: domain, records, prefix)
                    case .borrower: planned.append(try recordBorrower(spec, of: domain, records, prefix))
                    }
                }
                guard planned != mapped else { return }
                try unmap(mapped, from: domain, control)
                mapped = []
                for plan in planned {
                    try map(plan, into: domain, control, first: mapped.isEmpty)
                    mapped.append(plan)
                }
            }
        } catch {
            do { try unmap(mapped, from: domain, control) } catch let undo {
                throw ToolstackError("\(error); \(undo)")
            }
            throw error
        }
    }

    /// `xl -N create`: the checks of the `static_shm` step against xenstore's records, writing and mapping nothing.
    func checkStaticSharedMemory(_ config: DomainConfig) throws {
        try StaticSharedMemoryRecords.transaction(xenstore) { records in
            for (index, spec) in config.staticSharedMemory.enumerated() {
                let prefix = StaticSharedMemoryLayout.prefix(config, index)
                switch spec.role {
                case .owner: try recordOwner(spec, of: nil, records, prefix)
                case .borrower: _ = try recordBorrower(spec, of: nil, records, prefix)
                }
            }
        }
    }

    /// What `domain` holds of static shared memory, read before `xl destroy`.
    func staticSharedMemory(heldBy domain: DomainID) throws -> [HeldRegion] {
        try StaticSharedMemoryRecords.transaction(xenstore) { records in
            var held: [HeldRegion] = []
            for id in try records.ids(of: domain) {
                guard let region = try records.region(id) else { continue }
                switch try records.role(of: domain, in: id) {
                case StaticSharedMemory.Role.owner.rawValue where region.owner == domain:
                    held.append(HeldRegion(region: region, borrowed: nil))
                case StaticSharedMemory.Role.borrower.rawValue:
                    if let entry = region.borrowers.first(where: { $0.domain == domain }) { held.append(HeldRegion(region: region, borrowed: entry)) }
                default:
                    continue
                }
            }
            return held
        }
    }

    /// Unmaps the pages `domain` borrowed, page by page; returns a note for each page Xen would not unmap (the
    /// domain's destruction takes them back anyway).
    func unmapBorrowedPages(_ held: [HeldRegion], of domain: DomainID, _ control: any DomainControl) -> [String] {
        var notes: [String] = []
        for entry in held {
            guard let borrowed = entry.borrowed else { continue }
            let first = borrowed.begin / StaticSharedMemory.pageSize
            for gfn in first..<(first + borrowed.size / StaticSharedMemory.pageSize) {
                do { try control.removeFromPhysmap(domain, gfn: gfn) } catch {
                    notes.append("region \(entry.region.id): page \(StaticSharedMemory.hex(gfn * StaticSharedMemory.pageSize)): \(error.returned)")
                }
            }
        }
        return notes
    }

    /// `domain 2 (vm2)`.
    func describeDomain(_ domain: DomainID) -> String {
        let name = (try? domainName(domain)).flatMap { $0 }
        return "domain \(domain)" + (name.map { " (\($0))" } ?? "")
    }

    /// Checks that the region's id is free and records `domain` as its owner (only checks when `domain` is nil).
    private func recordOwner(_ spec: StaticSharedMemory, of domain: DomainID?, _ records: StaticSharedMemoryRecords, _ prefix: String) throws {
        if let region = try records.region(spec.id) {
            if try isRunningOwner(region, records) {
                throw ToolstackError("\(prefix)id: region \(spec.id) already has an owner, \(describeDomain(region.owner)); a region has one owner")
            }
            let users = region.borrowers.map { describeDomain($0.domain) }.joined(separator: ", ")
            throw ToolstackError("\(prefix)id: region \(spec.id) is still mapped by \(users) after its owner, domain \(region.owner), "
                + "was destroyed; destroy them before creating a new owner")
        }
        if let domain { try records.writeOwner(domain, spec) }
    }

    /// Checks the owner's record and records `domain` as a borrower (only checks when `domain` is nil); returns the
    /// pages to map.
    private func recordBorrower(_ spec: StaticSharedMemory, of domain: DomainID?, _ records: StaticSharedMemoryRecords, _ prefix: String) throws -> SharedMapping {
        guard let region = try records.region(spec.id) else {
            throw ToolstackError("\(prefix)id: region \(spec.id) has no owner: create the domain whose static_shm says "
                + "id=\(spec.id), role=owner first")
        }
        let owner = describeDomain(region.owner)
        guard try isRunningOwner(region, records) else {
            throw ToolstackError("\(prefix)id: the owner of region \(spec.id), domain \(region.owner), is no longer running; "
                + "create its owner again once the remaining borrowers are gone")
        }
        let (end, wraps) = spec.offset.addingReportingOverflow(spec.size)
        guard !wraps, end <= region.size else {
            throw ToolstackError("\(prefix)size: offset \(StaticSharedMemory.hex(spec.offset)) + size \(StaticSharedMemory.hex(spec.size)) "
                + "exceeds the owner's region \(spec.id) of size \(StaticSharedMemory.hex(region.size)) (\(owner))")
        }
        guard StaticSharedMemory.Permission(rawValue: region.prot) == spec.prot else {
            throw ToolstackError("\(prefix)prot: asks for \(spec.prot.rawValue) but the owner (\(owner)) grants only \(ConfigQuoting.quoted(region.prot))")
        }
        if let domain {
            if region.borrowers.contains(where: { $0.domain == domain }) {
                throw ToolstackError("\(prefix)id: xenstore already records domain \(domain) as a borrower of region \(spec.id)")
            }
            try records.writeBorrower(domain, spec, of: region)
        }
        let page = StaticSharedMemory.pageSize
        return SharedMapping(id: spec.id, prefix: prefix, owner: region.owner, ownerGFN: (region.begin + spec.offset) / page,
                             gfn: spec.begin / page, count: spec.size / page)
    }

    /// The record's owner exists, is not dying or shut down, and still has its role node for the region (a reused
    /// domid would not).
    private func isRunningOwner(_ region: StaticSharedMemoryRecords.Region, _ records: StaticSharedMemoryRecords) throws -> Bool {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("cannot list domains: \(error.errno)") }
        guard let info = domains.first(where: { $0.id == region.owner }), info.state.isDisjoint(with: [.dying, .shutdown, .crashed]) else {
            return false
        }
        return try records.role(of: region.owner, in: region.id) == StaticSharedMemory.Role.owner.rawValue
    }

    /// Maps one borrowed region, in batches; on any failure unmaps what it mapped and throws one line. When the
    /// `first` mapping of a create fails before any page with an errno of Xen without the map space, says so.
    private func map(_ plan: SharedMapping, into domain: DomainID, _ control: any DomainControl, first: Bool) throws {
        var mappedPages: [UInt64] = []
        var failure: (page: UInt64, errno: Errno, operation: String)?
        var done: UInt64 = 0
        while done < plan.count, failure == nil {
            let count = min(DomainControlLimits.sharedMappingBatch, plan.count - done)
            do {
                let results = try control.mapSharedPages(domain, from: plan.owner, ownerGFN: plan.ownerGFN + done, gfn: plan.gfn + done, count: count)
                for (index, result) in results.enumerated() {
                    let page = done + UInt64(index)
                    if let errno = result {
                        if failure == nil { failure = (page, errno, "XENMEM_add_to_physmap_batch") }
                    } else {
                        mappedPages.append(page)
                    }
                }
            } catch {
                failure = (done, error.errno, error.operation)
            }
            done += count
        }
        guard let failure else { return }
        var undo = ""
        do { try unmap(mappedPages.map { plan.gfn + $0 }, from: domain, control) } catch { undo = "; \(error)" }
        if first, mappedPages.isEmpty, Self.meansNoSharedMemory(failure.errno) {
            // Boot-time shared memory names regions with xen,shm-id, which Xen keeps shorter than static_shm's ids.
            let rename = plan.id.utf8.count < Dom0lessSharedMemory.maxIDLength ? ""
                : ", whose xen,shm-id must be shorter than \(Dom0lessSharedMemory.maxIDLength) characters"
            throw ToolstackError("\(plan.prefix)Xen refused \(failure.operation) with XENMAPSPACE_gmfn_share (\(failure.errno)): this Xen lacks "
                + "run-time static shared memory, which only the Xilinx/AMD fork has; with upstream Xen, declare the region at boot "
                + "with xen,domain-shared-memory-v1 nodes\(rename) (see Docs/static_shm.md)\(undo)")
        }
        let address = StaticSharedMemory.hex((plan.gfn + failure.page) * StaticSharedMemory.pageSize)
        throw ToolstackError("\(plan.prefix)cannot map the owner's page at \(address): \(failure.operation) returned \(failure.errno)\(undo)")
    }

    /// Upstream Xen answers an unknown map space with ENOSYS (ARM), EOPNOTSUPP or EINVAL, and an XSM policy with EPERM or EACCES.
    static func meansNoSharedMemory(_ errno: Errno) -> Bool {
        [Errno.ENOSYS, .EOPNOTSUPP, .EINVAL, .EPERM, .EACCES].contains(errno)
    }

    /// Unmaps the pages of `mappings`.
    private func unmap(_ mappings: [SharedMapping], from domain: DomainID, _ control: any DomainControl) throws {
        try unmap(mappings.flatMap { Array($0.gfn..<($0.gfn + $0.count)) }, from: domain, control)
    }

    /// Unmaps the pages at guest frames `gfns`, every one even after a failure; throws one line naming those Xen would not unmap.
    private func unmap(_ gfns: [UInt64], from domain: DomainID, _ control: any DomainControl) throws {
        var failed: [String] = []
        for gfn in gfns {
            do { try control.removeFromPhysmap(domain, gfn: gfn) } catch {
                failed.append("\(StaticSharedMemory.hex(gfn * StaticSharedMemory.pageSize)) (\(error.errno.name))")
            }
        }
        guard failed.isEmpty else {
            throw ToolstackError("unmapping the shared pages of domain \(domain) also failed at \(failed.prefix(4).joined(separator: ", "))"
                + (failed.count > 4 ? " and \(failed.count - 4) more" : ""))
        }
    }
}

/// Pages of an owner's region to map into a borrower: `count` pages from the owner's `ownerGFN` at `gfn`.
struct SharedMapping: Equatable {
    var id: String
    /// `FILE:LINE:COLUMN: static_shm[N] id=ID: `, for messages.
    var prefix: String
    var owner: DomainID
    var ownerGFN: UInt64
    var gfn: UInt64
    var count: UInt64
}

/// A region a domain holds: as owner (`borrowed` nil), or as a borrower with its entry.
struct HeldRegion {
    var region: StaticSharedMemoryRecords.Region
    var borrowed: StaticSharedMemoryRecords.Borrower?
}

extension Toolstack {
    /// What `xl destroy` does about static shared memory: the regions held, the plan for `-N`, and for a forced
    /// owner what stays mapped. Refuses an owner whose region other domains still map unless `force`.
    func sharedMemoryBeforeDestroy(_ argument: String, _ domain: DomainID, force: Bool) throws -> (held: [HeldRegion], plan: [String], stillMapped: [String]) {
        let held: [HeldRegion]
        do { held = try staticSharedMemory(heldBy: domain) } catch {
            // Damaged records must not keep a domain alive: -f destroys it and leaves them.
            guard force else {
                throw ToolstackError("destroy \(argument): cannot read its static_shm records: \(error); use xl destroy -f to destroy it and leave them")
            }
            let text = "its static_shm records are left as they are (\(error))"
            return ([], ["would leave " + text], [text])
        }
        var plan: [String] = []
        var stillMapped: [String] = []
        for entry in held {
            let region = entry.region
            if let borrowed = entry.borrowed {
                plan.append("would unmap region \(region.id) at \(StaticSharedMemory.describe(borrowed.begin..<(borrowed.begin + borrowed.size))) "
                    + "and leave its record (usercnt \(region.userCount) -> \(region.userCount - 1))")
                continue
            }
            let users = region.borrowers.map { "\(describeDomain($0.domain)) at \(StaticSharedMemory.describe($0.begin..<($0.begin + $0.size)))" }
            guard !users.isEmpty else {
                plan.append("would remove region \(region.id) (no borrowers)")
                continue
            }
            guard force else {
                throw ToolstackError("destroy \(argument): region \(region.id) is still mapped by \(users.joined(separator: " and ")); "
                    + "destroy them first, or use xl destroy -f to destroy the owner anyway")
            }
            plan.append("would destroy the owner of region \(region.id) while it is mapped in \(users.joined(separator: " and "))")
            stillMapped.append("region \(region.id) stays mapped in \(users.joined(separator: " and ")); its pages are freed when they are destroyed")
        }
        return (held, plan, stillMapped)
    }
}
