// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

extension Toolstack {
    /// `xl dt-overlay add FILE DOMAIN` (expert mode): add, then attach to DOMAIN in one step. The
    /// domain and the IRQs the attach needs are checked before the add; if the attach still fails,
    /// the add is undone.
    public func addOverlay(_ file: OverlayFile, attachingTo domainArgument: String) throws {
        let domain = try attachableDomain(domainArgument, file: file)
        try addOverlay(file) { record, records in
            try checkIRQsFree(record, among: records, step: "add", file: file)
        }
        if dryRun {
            output("would then call XEN_DOMCTL_dt_overlay (cmd 87) domain=\(domain.id) op=attach size=\(file.blob.count)")
            return
        }
        do {
            try attachOverlay(file, to: String(domain.id.rawValue))
        } catch let attachError {
            // An attach that reached Xen cannot be undone, and removing under it would pull
            // devices from a running domain: report it as it is.
            if let error = attachError as? ToolstackError, error.hostChanged { throw error }
            do { try removeOverlay(file) } catch let undoError {
                throw ToolstackError("dt-overlay add \(file.path) \(domainArgument): \(attachError); undoing the add failed too (\(undoError)); `xl dt-overlay list` shows what is left")
            }
            throw ToolstackError("\(attachError) (the add was undone)")
        }
    }

    /// `xl dt-overlay remove FILE DOMAIN` (expert mode): the overlay must be attached to DOMAIN.
    ///
    /// Xen has no detach: devices attached to dom0 stay with it until the remove, and a domU gives
    /// them back only when it is destroyed. So this removes an overlay attached to dom0 or to a
    /// domU that is gone, and refuses while the domU runs.
    public func removeOverlay(_ file: OverlayFile, attachedTo domainArgument: String) throws {
        let prefix = "dt-overlay remove \(file.path) \(domainArgument)"
        guard let record = try OverlayRecord.read(OverlayRecord.key(for: file.blob), from: xenstore) else {
            throw ToolstackError("\(prefix): this overlay was never added (`xl dt-overlay list` shows what is added)")
        }
        guard let attached = record.domain else {
            throw ToolstackError("\(prefix): the overlay is added but attached to no domain; remove it with `xl dt-overlay remove \(file.path)`")
        }
        let domain: DomainInfo
        do { domain = try findDomain(domainArgument) } catch let error as ToolstackError {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        guard domain.id == attached else {
            throw ToolstackError("\(prefix): the overlay is attached to domain \(attached), not to domain \(domain.id)")
        }
        try removeOverlay(file)
    }

    /// The domain an expert-mode add will attach to, checked before anything changes.
    func attachableDomain(_ argument: String, file: OverlayFile) throws -> DomainInfo {
        let prefix = "dt-overlay add \(file.path) \(argument)"
        let version = try xenVersion()
        guard version >= .v4_19 else {
            throw ToolstackError("\(prefix): Xen \(version) has no attach (it arrived in 4.19); its add already gives the devices to dom0, use `xl dt-overlay add \(file.path)`")
        }
        let domain: DomainInfo
        do { domain = try findDomain(argument) } catch let error as ToolstackError {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        if domain.directMapped == false {
            throw ToolstackError("\(prefix): domain \(domain.id) is not direct-mapped; Xen gives overlay devices only 1:1 (dom0, or a dom0less domain with direct-map)")
        }
        return domain
    }
}
