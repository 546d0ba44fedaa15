// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import OverlayHandoff
import XenControl
import XenTypes

extension Toolstack {
    /// `xl dt-overlay add FILE DOMAIN NODE_NAME TYPE PARTIAL` (normal mode): prepares the guest's
    /// copy of the overlay and checks everything, hands the copy to the domU's `get_overlay`,
    /// then adds and attaches the overlay in Xen, and finally lets the guest apply its copy.
    ///
    /// The copy travels before any hypercall, so a failed hand-off changes nothing; a failed add
    /// or attach is undone (expert mode) and the guest told to drop its copy. Only the guest's
    /// own apply comes after Xen gave the devices, which Xen cannot take back from a running domU.
    public func addOverlay(_ file: OverlayFile, forGuest domainArgument: String, request: GuestOverlayRequest) throws {
        let prefix = "dt-overlay add \(file.path) \(domainArgument)"
        let domain = try attachableDomain(domainArgument, file: file)
        guard domain.id != .dom0 else {
            throw ToolstackError("\(prefix): normal mode prepares the overlay for a domU; dom0 sees the host's device tree, use expert mode (xl dt-overlay add \(file.path) 0)")
        }
        let copy: DeviceTree
        do { copy = try GuestOverlay.rewrite(file.overlay, host: bootTree) } catch {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        let (record, records, _) = try plannedAdd(file)
        try checkIRQsFree(record, among: records, step: "add", file: file)
        if dryRun {
            output("dry run: the guest copy of \(file.path) is \(copy.bytes.count) bytes, \(GrantPage.count(for: copy.bytes.count)) grant page(s)")
            output("would hand it to domain \(domain.id) as \(request.kind.rawValue) overlay \(request.name) (partial \(request.partialText)) through \(HandoffNodes.base(of: domain.id))")
            try addOverlay(file, attachingTo: String(domain.id.rawValue))
            output("would then tell domain \(domain.id) to apply it and wait for its answer")
            return
        }
        let sender = try handoff(prefix, domain: domain.id, request: request)
        defer { sender.finish() }
        do {
            try sender.deliver(copy.bytes, mapper: grantMapper)
        } catch {
            sender.abort("\(error)")
            throw ToolstackError("\(prefix): \(error); nothing was changed")
        }
        do {
            try addOverlay(file, attachingTo: String(domain.id.rawValue))
        } catch {
            sender.abort("dom0 could not give the devices to this domain: \(error)")
            throw error
        }
        do {
            try sender.commit()
        } catch {
            throw ToolstackError("\(prefix): \(error); Xen added the overlay and gave its devices to domain \(domain.id), which keeps them (Xen has no detach); `xl dt-overlay list` shows it", hostChanged: true)
        }
        log("domain \(domain.id) applied \(request.kind.rawValue) overlay \(request.name) from \(file.path)")
    }

    /// `xl dt-overlay remove FILE DOMAIN NODE_NAME TYPE PARTIAL` (normal mode): the guest removes
    /// its overlay first and confirms. Xen has no detach, so the devices stay with the running
    /// domU until it is destroyed; then `xl dt-overlay remove FILE` takes the nodes out of Xen.
    public func removeOverlay(_ file: OverlayFile, fromGuest domainArgument: String, request: GuestOverlayRequest) throws {
        let prefix = "dt-overlay remove \(file.path) \(domainArgument)"
        let record = try addedRecord(for: file, step: "remove")
        let domain: DomainInfo
        do { domain = try findDomain(domainArgument) } catch let error as ToolstackError {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        guard domain.id != .dom0 else {
            throw ToolstackError("\(prefix): normal mode is for a domU; remove what dom0 holds with `xl dt-overlay remove \(file.path) 0`")
        }
        guard let attached = record.domain else {
            throw ToolstackError("\(prefix): the overlay is added but attached to no domain; remove it with `xl dt-overlay remove \(file.path)`")
        }
        guard attached == domain.id else {
            throw ToolstackError("\(prefix): the overlay is attached to domain \(attached), not to domain \(domain.id)")
        }
        let note = "its devices stay with domain \(domain.id) until it is destroyed (Xen has no detach); then `xl dt-overlay remove \(file.path)` takes the nodes out of Xen"
        if dryRun {
            output("dry run: would ask domain \(domain.id) to remove \(request.kind.rawValue) overlay \(request.name) through \(HandoffNodes.base(of: domain.id)) and wait for its answer; \(note)")
            return
        }
        let sender = try handoff(prefix, domain: domain.id, request: request)
        defer { sender.finish() }
        do { try sender.remove() } catch {
            sender.abort("\(error)")
            throw ToolstackError("\(prefix): \(error); nothing was changed")
        }
        output("domain \(domain.id) removed overlay \(request.name); \(note)")
    }

    /// Claims the domU's hand-off slot and waits for its `get_overlay`.
    private func handoff(_ prefix: String, domain: DomainID, request: GuestOverlayRequest) throws -> OverlaySender {
        do {
            return try OverlaySender(xenstore: xenstore, domain: domain, request: request, timeout: handoffTimeout, log: log)
        } catch {
            throw ToolstackError("\(prefix): \(error); nothing was changed")
        }
    }
}
