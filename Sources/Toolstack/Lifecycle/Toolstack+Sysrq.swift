// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl sysrq DOMAIN KEY`: writes `KEY` to the guest's `control/sysrq`, as libxl's `libxl_send_sysrq` does; Linux's
    /// PV drivers empty the node and run the key. Refused, before anything is written, for a guest whose PV drivers
    /// never announced themselves (`control/feature-poweroff` or `feature-reboot` unset: nothing would read the node)
    /// and for a domain that has shut down.
    public func sendSysrq(_ argument: String, key: Character) throws {
        let prefix = "sysrq \(argument)"
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(prefix): \(error.message)") }
        let id = info.id
        if info.state.contains(.shutdown) {
            throw ToolstackError("\(prefix): domain \(id) has shut down, so its guest cannot take a sysrq")
        }
        let control = "/local/domain/\(id)/control"
        var announced = false
        for feature in ["feature-poweroff", "feature-reboot"] where !announced {
            do { announced = try xenstore.readString("\(control)/\(feature)") == "1" } catch {
                throw ToolstackError("\(prefix): cannot read \(control)/\(feature): \(error.errno)")
            }
        }
        guard announced else {
            throw ToolstackError("\(prefix): domain \(id) has no PV control interface (\(control)/feature-poweroff is not set: the guest "
                + "has no Xen PV drivers, or has not started them yet), so nothing would read \(control)/sysrq")
        }
        let path = "\(control)/sysrq"
        if dryRun { return output("dry run: would write \(path) = \"\(key)\"") }
        do { try xenstore.write(path, string: String(key)) } catch {
            throw ToolstackError("\(prefix): cannot write \(path): \(error.errno)")
        }
    }
}
