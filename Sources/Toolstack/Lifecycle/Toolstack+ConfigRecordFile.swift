// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// The UUID libxl names a domain's userdata files with: Xen's domain handle.
    static func userdataUUID(_ info: DomainInfo) -> String { uuidText(info.handle ?? Array(repeating: 0, count: 16)) }

    /// The domain's configuration record: libxl's userdata file when there is one (written by this xl or by upstream's
    /// toolstack), else the copy in xenstore (`/libxl/<domid>/libxl-json`); nil when neither exists.
    func configRecord(_ info: DomainInfo, _ prefix: String) throws -> String? {
        if let userdata {
            let path = userdata.path(info.id, uuid: Self.userdataUUID(info))
            do throws(Errno) {
                if let text = try userdata.retrieve(info.id, uuid: Self.userdataUUID(info)) { return text }
            } catch {
                throw ToolstackError("\(prefix): cannot read \(path): \(error)")
            }
        }
        do throws(XenStoreError) { return try LibxlConfigRecord.read(under: "/libxl/\(info.id)", from: xenstore) } catch {
            throw ToolstackError("\(prefix): cannot read /libxl/\(info.id)/\(LibxlConfigRecord.name): \(error.errno)")
        }
    }

    /// Writes the userdata file of a domain just created or initialised; nothing when no directory is kept.
    func storeConfigRecordFile(_ json: String, _ domain: DomainID, uuid: String) throws {
        guard let userdata else { return }
        do throws(Errno) { try userdata.store(json, domain, uuid: uuid) } catch {
            throw ToolstackError("cannot write \(userdata.path(domain, uuid: uuid)): \(error)")
        }
    }

    /// Removes the userdata file of a destroyed domain; a failure is logged (the domain is gone already).
    func removeConfigRecordFile(_ info: DomainInfo, _ prefix: String) {
        guard let userdata else { return }
        let uuid = Self.userdataUUID(info)
        do throws(Errno) { try userdata.remove(info.id, uuid: uuid) } catch {
            log("\(prefix): warning: cannot remove \(userdata.path(info.id, uuid: uuid)): \(error)")
        }
    }
}
