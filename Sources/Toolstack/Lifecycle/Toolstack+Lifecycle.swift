// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl pause DOMAIN`: Xen stops scheduling the domain until as many `unpause` as `pause` calls.
    public func pauseDomain(_ argument: String) throws {
        let (info, control) = try controlled("pause", argument)
        guard info.id != .dom0 else { throw ToolstackError("pause \(argument): domain 0 runs this toolstack and cannot be paused") }
        if dryRun { return output("dry run: would pause domain \(info.id)") }
        do { try control.pause(info.id) } catch {
            let hint = error.errno == .EOVERFLOW ? "; Xen counts at most 255 pauses, unpause it first" : ""
            throw ToolstackError("pause \(argument): \(error.returned)\(hint)")
        }
    }

    /// `xl unpause DOMAIN`: takes back one pause; refuses a domain the toolstack has not paused.
    public func unpauseDomain(_ argument: String) throws {
        let (info, control) = try controlled("unpause", argument)
        guard info.state.contains(.paused) else { throw ToolstackError("unpause \(argument): domain \(info.id) is not paused") }
        if dryRun { return output("dry run: would unpause domain \(info.id)") }
        do { try control.unpause(info.id) } catch {
            throw ToolstackError("unpause \(argument): \(error.returned)")
        }
    }

    /// `xl rename DOMAIN NEW_NAME`: `/local/domain/N/name` and `/vm/UUID/name` in one transaction, as libxl does;
    /// a name another domain has is refused.
    public func renameDomain(_ argument: String, to newName: String) throws {
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError {
            throw ToolstackError("rename \(argument): \(error.message)")
        }
        try Self.checkName(newName, "rename \(argument)")
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("rename \(argument): cannot list domains: \(error.returned)") }
        for other in domains where other.id != info.id {
            if try domainName(other.id) == newName {
                throw ToolstackError("rename \(argument): domain \(other.id) is already named \"\(newName)\"")
            }
        }
        let home = "/local/domain/\(info.id)"
        if dryRun { return output("dry run: would write \(home)/name = \"\(newName)\"") }
        do {
            try xenstore.transaction { tx in
                guard try xenstore.exists(home, in: tx) else { throw ToolstackError("rename \(argument): \(home) does not exist") }
                try xenstore.write(home + "/name", string: newName, in: tx)
                if let vm = try xenstore.readString(home + "/vm", in: tx).flatMap(Self.vmPath), try xenstore.exists(vm, in: tx) {
                    try xenstore.write(vm + "/name", string: newName, in: tx)
                }
            }
        } catch let error as ToolstackError {
            throw error
        } catch let error as XenStoreError {
            throw ToolstackError("rename \(argument): cannot write the new name: \(error.errno)")
        }
    }

    /// `xl domid NAME`: the id of the domain with that name.
    public func domainID(named name: String) throws -> DomainID {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("domid \(name): cannot list domains: \(error.returned)") }
        for info in domains where try domainName(info.id) == name { return info.id }
        throw ToolstackError("domid \(name): no domain is named \"\(name)\"")
    }

    /// `xl domname ID`: the name of the domain with that id.
    public func domainName(ofID argument: String) throws -> String {
        guard let number = UInt16(argument) else { throw ToolstackError("domname \(argument): not a domain id (a number from 0 to 65535)") }
        let id = DomainID(number)
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("domname \(argument): cannot list domains: \(error.returned)") }
        guard domains.contains(where: { $0.id == id }) else { throw ToolstackError("domname \(argument): domain \(id) does not exist") }
        guard let name = try domainName(id) else { throw ToolstackError("domname \(argument): domain \(id) has no name in xenstore") }
        return name
    }

    /// A domain name xl accepts: not empty, not all digits (it would read as an id), no `/`, at most 64 bytes.
    static func checkName(_ name: String, _ context: String) throws {
        guard !name.isEmpty, name.utf8.count <= 64 else { throw ToolstackError("\(context): a domain name has 1 to 64 bytes") }
        guard !name.allSatisfy(\.isNumber) else { throw ToolstackError("\(context): \"\(name)\" is all digits and would be read as a domain id") }
        guard !name.contains("/"), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw ToolstackError("\(context): \"\(name)\" has a / or a control character, which xenstore paths and xl's output cannot carry")
        }
    }

    /// The domain and the control backend for a command that changes it.
    private func controlled(_ command: String, _ argument: String) throws -> (DomainInfo, any DomainControl) {
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError {
            throw ToolstackError("\(command) \(argument): \(error.message)")
        }
        guard let control = hypervisor as? any DomainControl else {
            throw ToolstackError("\(command) \(argument): this hypervisor backend cannot control domains")
        }
        return (info, control)
    }
}
