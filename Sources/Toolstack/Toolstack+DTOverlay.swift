// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl dt-overlay add FILE`: checks the overlay against what is known of Xen's device tree,
    /// adds it, and records it in xenstore before and after the hypercall.
    public func addOverlay(_ file: OverlayFile) throws {
        try addOverlay(file, checking: { _, _ in })
    }

    /// The add with `check` run on the planned record and the registry after every other check and
    /// before the hypercall (expert and normal mode check the attach there).
    func addOverlay(_ file: OverlayFile, checking check: (OverlayRecord, [OverlayRecord]) throws -> Void) throws {
        let (record, records, version) = try plannedAdd(file)
        try check(record, records)
        if dryRun {
            output("dry run: \(file.path) passed all checks (\(file.blob.count) bytes, \(file.overlay.fragments.count) fragment(s))")
            output("would add: \(record.nodes.joined(separator: " "))")
            output("would call XEN_SYSCTL_dt_overlay (cmd 30, interface version 0x\(String(InterfaceVersions.sysctl(for: version) ?? 0, radix: 16))) op=add size=\(file.blob.count)")
            output("would record \(OverlayRecord.root)/\(record.key)")
            return
        }
        let hypervisor = self.hypervisor
        try recordAround(
            .add, file: file.path, before: nil, pending: record, after: record,
            hypercall: { try hypervisor.dtOverlay(.add, blob: file.blob) },
            undo: { try? hypervisor.dtOverlay(.remove, blob: file.blob) })
        log("added \(file.path): \(record.nodes.joined(separator: " "))")
    }

    /// Every check of an add, without changing anything: the record it would write, the registry
    /// it was checked against, and the Xen release.
    func plannedAdd(_ file: OverlayFile) throws -> (record: OverlayRecord, records: [OverlayRecord], version: XenVersion) {
        let version = try xenVersion()
        guard version >= .v4_18 else {
            throw ToolstackError("dt-overlay add \(file.path): Xen \(version) has no device-tree overlays (they arrived in Xen 4.18)")
        }
        let key = OverlayRecord.key(for: file.blob)
        let records = try registry()
        if let existing = records.first(where: { $0.key == key }) {
            if let pending = existing.pending {
                throw ToolstackError("dt-overlay add \(file.path): an earlier \(pending.rawValue) of this overlay (from \(existing.file)) was interrupted; `xl dt-overlay remove \(file.path)` clears it")
            }
            throw ToolstackError("dt-overlay add \(file.path): this overlay is already added (from \(existing.file)); remove it first")
        }
        let targets = try file.overlay.fragments.map { fragment in try targetPath(fragment, file: file, version: version, records: records) }
        let nodes = file.nodePaths(targets: targets)
        try checkNewNodes(nodes, file: file, records: records)
        let resources = try mergedResources(file, nodes: nodes)

        var record = OverlayRecord(
            key: key, file: file.path, size: file.blob.count, nodes: nodes, domain: nil,
            irqs: resources.flatMap(\.irqs), mmio: resources.flatMap(\.mmio))
        // Xen 4.18's add also gives the devices to dom0.
        if version < .v4_19 { record.domain = .dom0 }
        return (record, records, version)
    }

    /// `xl dt-overlay remove FILE`: removes an overlay added before, byte for byte.
    public func removeOverlay(_ file: OverlayFile) throws {
        let record = try addedRecord(for: file, step: "remove")
        if let domain = record.domain, domain != .dom0 {
            let alive: Bool
            do { alive = try hypervisor.domains().contains { $0.id == domain } } catch {
                throw ToolstackError("dt-overlay remove \(file.path): cannot list domains: \(error.errno)")
            }
            if alive {
                throw ToolstackError("dt-overlay remove \(file.path): its devices are attached to domain \(domain); Xen cannot take them back from a running domU, destroy the domain first")
            }
        }
        if dryRun {
            output("dry run: would remove \(record.nodes.joined(separator: " ")) added from \(record.file)")
            output("would call XEN_SYSCTL_dt_overlay (cmd 30) op=remove size=\(file.blob.count)")
            output("would delete \(OverlayRecord.root)/\(record.key)")
            return
        }
        let hypervisor = self.hypervisor
        let log = self.log
        try recordAround(
            .remove, file: file.path, before: record, pending: record, after: nil,
            hypercall: {
                do { try hypervisor.dtOverlay(.remove, blob: file.blob) } catch let error as HypervisorError where record.pending != nil && error.errno == .EINVAL {
                    // An interrupted operation may never have reached Xen, which does not know the blob then.
                    log("dt-overlay remove \(file.path): Xen does not have it (its \(record.pending?.rawValue ?? "") was interrupted before the hypercall)")
                }
            },
            undo: nil)
        log("removed \(file.path)")
    }

    /// `xl dt-overlay attach FILE DOMAIN` (Xen 4.19+): gives the devices of an added overlay to a
    /// direct-mapped domain, IRQs and MMIO 1:1.
    public func attachOverlay(_ file: OverlayFile, to domainArgument: String) throws {
        let version = try xenVersion()
        guard version >= .v4_19 else {
            throw ToolstackError("dt-overlay attach \(file.path): Xen \(version) has no attach (it arrived in 4.19); on \(version) add already gives the devices to dom0")
        }
        let records = try registry()
        var record = try addedRecord(for: file, step: "attach", in: records)
        let domain: DomainInfo
        do { domain = try findDomain(domainArgument) } catch let error as ToolstackError {
            throw ToolstackError("dt-overlay attach \(file.path): \(error.message)")
        }
        if let pending = record.pending {
            throw ToolstackError("dt-overlay attach \(file.path): an earlier \(pending.rawValue) of this overlay was interrupted; `xl dt-overlay remove \(file.path)` clears it")
        }
        if let current = record.domain {
            throw ToolstackError("dt-overlay attach \(file.path): already attached to domain \(current); Xen has no detach, remove and add the overlay again")
        }
        if domain.directMapped == false {
            throw ToolstackError("dt-overlay attach \(file.path): domain \(domain.id) is not direct-mapped; Xen gives overlay devices only 1:1 (dom0, or a dom0less domain with direct-map) and would answer EOPNOTSUPP")
        }
        try checkIRQsFree(record, among: records, step: "attach", file: file)
        let before = record
        record.domain = domain.id
        if dryRun {
            output("dry run: would attach \(record.nodes.joined(separator: " ")) to domain \(domain.id)")
            output("IRQs 1:1: \(record.irqs.map(String.init).joined(separator: " ")); MMIO 1:1: \(record.mmio.map(\.description).joined(separator: " "))")
            output("would call XEN_DOMCTL_dt_overlay (cmd 87, interface version 0x\(String(InterfaceVersions.domctl(for: version) ?? 0, radix: 16))) domain=\(domain.id) op=attach size=\(file.blob.count)")
            return
        }
        try recordAround(
            .attach, file: file.path, before: before, pending: record, after: record,
            hypercall: { try hypervisor.dtOverlayAttach(blob: file.blob, to: domain.id) }, undo: nil)
        log("attached \(file.path) to domain \(domain.id)")
    }

    /// `xl dt-overlay list`: the overlays added on this host.
    public func listOverlays() throws -> [OverlayRecord] { try registry() }

    // MARK: Checks

    /// Where a fragment applies, or why this Xen cannot apply it there.
    private func targetPath(_ fragment: Overlay.Fragment, file: OverlayFile, version: XenVersion, records: [OverlayRecord]) throws -> String {
        let prefix = "dt-overlay add \(file.path): \(fragment.name)"
        let path: String
        switch fragment.target {
        case .path(let target):
            path = target
        case .label, .phandle:
            guard version >= .v4_22 else {
                throw ToolstackError("\(prefix) uses \(fragment.target); Xen \(version) resolves only target-path (label targets need Xen 4.22)")
            }
            guard let bootTree else {
                throw ToolstackError("\(prefix) uses \(fragment.target), which needs the host device tree to check; give it with --host-dtb")
            }
            guard let resolved = Overlay.resolve(fragment.target, in: bootTree) else {
                throw ToolstackError("\(prefix) uses \(fragment.target), which the host device tree's __symbols__ do not resolve")
            }
            path = resolved
        }
        if path == "/", version < .v4_20, !fragment.nodes.isEmpty {
            throw ToolstackError("\(prefix) targets the root node; Xen \(version) cannot add nodes at / (fixed in 4.20), use a bus such as /soc")
        }
        if let bootTree, !bootTree.hasNode(path), !records.contains(where: { $0.nodes.contains { path == $0 || path.hasPrefix($0 + "/") } }) {
            throw ToolstackError("\(prefix) targets \(path), which does not exist in the host device tree")
        }
        if fragment.nodes.isEmpty {
            throw ToolstackError("\(prefix) adds no nodes; Xen supports only overlays that add nodes, not ones that only change properties")
        }
        return path
    }

    /// No IRQ of `record` may be held by another overlay attached to a domain.
    func checkIRQsFree(_ record: OverlayRecord, among records: [OverlayRecord], step: String, file: OverlayFile) throws {
        for other in records where other.key != record.key && other.domain != nil {
            if let irq = record.irqs.first(where: other.irqs.contains) {
                throw ToolstackError("dt-overlay \(step) \(file.path): IRQ \(irq) is already given to domain \(other.domain ?? .dom0) by overlay \(other.file)")
            }
        }
    }

    /// Every new node must be new: not in the host tree, not added by another overlay, not twice in this one.
    private func checkNewNodes(_ nodes: [String], file: OverlayFile, records: [OverlayRecord]) throws {
        var seen = Set<String>()
        for node in nodes {
            guard seen.insert(node).inserted else {
                throw ToolstackError("dt-overlay add \(file.path): node \(node) is added twice by this overlay")
            }
            if let bootTree, bootTree.hasNode(node) {
                throw ToolstackError("dt-overlay add \(file.path): node \(node) already exists in the host device tree")
            }
            if let other = records.first(where: { $0.nodes.contains(node) }) {
                throw ToolstackError("dt-overlay add \(file.path): node \(node) already exists, added by overlay \(other.file)")
            }
        }
    }

    /// The resources of the new nodes, read from the host tree with the overlay applied by libfdt.
    private func mergedResources(_ file: OverlayFile, nodes: [String]) throws -> [DeviceResources] {
        guard let bootTree else {
            log("host device tree unknown (no --host-dtb): target and node checks against it were skipped")
            return []
        }
        let merged: DeviceTree
        do { merged = try bootTree.applying(file.overlay.tree) } catch {
            throw ToolstackError("dt-overlay add \(file.path): \(error.message) onto the host device tree (a label it references may be missing from the host's __symbols__)")
        }
        var result: [DeviceResources] = []
        for node in nodes {
            do { result.append(try merged.resources(of: node)) } catch {
                throw ToolstackError("dt-overlay add \(file.path): \(error.message)")
            }
        }
        return result
    }

    /// The record of an overlay that must have been added before, taken from `records` when the
    /// caller already read the registry, else read on its own.
    func addedRecord(for file: OverlayFile, step: String, in records: [OverlayRecord]? = nil) throws -> OverlayRecord {
        let key = OverlayRecord.key(for: file.blob)
        let found = try records.map { $0.first { $0.key == key } } ?? OverlayRecord.read(key, from: xenstore)
        guard let record = found else {
            throw ToolstackError("dt-overlay \(step) \(file.path): this overlay was never added (Xen matches overlays byte for byte; `xl dt-overlay list` shows what is added)")
        }
        return record
    }

    private func registry() throws -> [OverlayRecord] {
        do { return try OverlayRecord.all(from: xenstore) } catch let error as XenStoreError {
            throw ToolstackError("cannot read the overlay registry \(OverlayRecord.root) from xenstore: \(error.errno)")
        }
    }

    /// Runs the hypercall between two commits of the record: first `before` becomes `record` marked
    /// `pending` (checked against the registry in the same transaction), then the hypercall, then the
    /// record becomes `after` (`nil`: removed). A failed hypercall puts `before` back. A failed second
    /// commit calls `undo` and puts `before` back; with no `undo` (attach, which Xen cannot reverse;
    /// remove, already done) the pending record stays and says what happened. A process killed at
    /// any point leaves `before`, the pending record, or `after`.
    private func recordAround(
        _ step: OverlayHypercallFailure.Step, file: String, before: OverlayRecord?, pending: OverlayRecord, after: OverlayRecord?,
        hypercall: () throws -> Void, undo: (() -> Void)?
    ) throws {
        let key = pending.key
        func failed(_ error: any Error) -> ToolstackError {
            if error is OverlayRecord.Changed {
                return ToolstackError("dt-overlay \(step.rawValue) \(file): \(OverlayRecord.root)/\(key) changed meanwhile (another xl?); `xl dt-overlay list` shows it")
            }
            let reason = (error as? XenStoreError).map { "\($0.errno)" } ?? "\(error)"
            return ToolstackError("dt-overlay \(step.rawValue) \(file): cannot update \(OverlayRecord.root) in xenstore: \(reason)")
        }
        var intent = pending
        intent.pending = OverlayRecord.Operation(rawValue: step.rawValue)
        do { try OverlayRecord.replace(key, expecting: before, with: intent, in: xenstore) } catch { throw failed(error) }
        do {
            try hypercall()
        } catch {
            let restored = (try? OverlayRecord.replace(key, expecting: intent, with: before, in: xenstore)) != nil
            guard let hypervisorError = error as? HypervisorError else { throw error }
            let message = OverlayHypercallFailure.message(hypervisorError, step: step, file: file)
            throw ToolstackError(restored ? message : message + "; its record stays marked as an interrupted \(step.rawValue) (`xl dt-overlay remove \(file)` clears it)")
        }
        do {
            try OverlayRecord.replace(key, expecting: intent, with: after, in: xenstore)
        } catch {
            guard let undo else {
                let left = step == .attach ? "; the devices stay attached (Xen has no detach)" : "; Xen removed it, run `xl dt-overlay remove \(file)` again to clear its record"
                throw ToolstackError(failed(error).message + left, hostChanged: true)
            }
            undo()
            _ = try? OverlayRecord.replace(key, expecting: intent, with: before, in: xenstore)
            throw failed(error)
        }
    }
}
