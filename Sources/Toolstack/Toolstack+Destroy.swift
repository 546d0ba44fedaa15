// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl destroy DOMAIN`: Xen takes back the domain's memory, IRQs, mappings and devices; its xenstore entries go.
    /// A domain that owns a `static_shm` region other domains still map is refused unless `force`; a borrower's
    /// pages are unmapped first, and the domain leaves the records of its regions.
    public func destroyDomain(_ argument: String, force: Bool = false) throws {
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError {
            throw ToolstackError("destroy \(argument): \(error.message)")
        }
        guard info.id != .dom0 else { throw ToolstackError("destroy \(argument): domain 0 cannot be destroyed") }
        guard let control = hypervisor as? any DomainControl else {
            throw ToolstackError("destroy \(argument): this hypervisor backend cannot destroy domains")
        }
        let vm: String?
        do { vm = try xenstore.readString("/local/domain/\(info.id)/vm").flatMap(Self.vmPath) } catch {
            throw ToolstackError("destroy \(argument): cannot read /local/domain/\(info.id)/vm: \(error.errno)")
        }
        let shared = try sharedMemoryBeforeDestroy(argument, info.id, force: force)
        let backend: DomainID
        do { backend = try serviceDomains().console } catch let error as ToolstackError {
            throw ToolstackError("destroy \(argument): \(error.message)")
        }
        if dryRun {
            output("dry run: would destroy domain \(info.id) and remove /local/domain/\(info.id), /libxl/\(info.id)\(vm.map { " and \($0)" } ?? "")")
            for line in shared.plan { output("dry run: \(line)") }
            return
        }
        for note in unmapBorrowedPages(shared.held, of: info.id, control) { log("destroy \(argument): \(note)") }
        // The domain leaves its static_shm regions and its xenstore entries go before Xen destroys
        // it, as in libxl: an xl stopped in between leaves a domain `xl list` shows (unnamed) and
        // `xl destroy ID` finishes, never records of a domain that is gone.
        if !shared.held.isEmpty {
            do { try StaticSharedMemoryRecords.release(info.id, in: xenstore) } catch {
                throw ToolstackError("destroy \(argument): cannot update the static_shm records of domain \(info.id): \(error); the domain was not destroyed")
            }
        }
        // libxl's libxl__devices_destroy: the PV devices' back ends close and their scripts undo what they set up.
        for problem in removeAllDevices(of: info.id) { log("destroy \(argument): \(problem)") }
        do { try GuestXenStoreEntries.remove(domain: info.id, vm: vm, backend: backend, from: xenstore) } catch {
            throw ToolstackError("destroy \(argument): cannot remove the xenstore entries of domain \(info.id): \(error); the domain was not destroyed")
        }
        do { try control.destroy(info.id) } catch {
            throw ToolstackError("destroy \(argument): \(error.returned)")
        }
        removeConfigRecordFile(info, "destroy \(argument)")
        for line in shared.stillMapped { output("destroy \(argument): \(line)") }
        log("destroyed domain \(info.id)")
    }

    /// The absolute `/vm/<uuid>` path a domain's `vm` node names (upstream's init-dom0less writes it
    /// relative, as `vm/<uuid>`); `nil` for anything else, so a damaged value never removes another subtree.
    static func vmPath(_ value: String) -> String? {
        let path = value.hasPrefix("/") ? value : "/" + value
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "vm", parts[2].count == 36,
            parts[2].allSatisfy({ $0.isHexDigit || $0 == "-" })
        else { return nil }
        return path
    }
}
