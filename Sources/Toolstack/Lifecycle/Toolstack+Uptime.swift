// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

/// One row of `xl uptime`: a domain and how long it has run, in whole seconds.
public struct DomainUptime: Hashable, Sendable {
    public var id: DomainID
    /// The name xenstore records, or `(null)` as upstream prints a missing one.
    public var name: String
    public var seconds: UInt64
}

extension Toolstack {
    /// `xl uptime [DOMAIN...]`, as upstream's `print_uptime`: without arguments dom0 and then every other domain in domid
    /// order; a domain whose `/vm/UUID/start_time` is missing or unreadable is left out, as upstream does. Dom0's
    /// uptime is the host's (`dom0Uptime`, `/proc/uptime` on real Xen); `now` is seconds since the epoch.
    public func uptimes(_ arguments: [String], now: Double, dom0Uptime: () throws -> UInt64) throws -> [DomainUptime] {
        var ids: [DomainID] = []
        if arguments.isEmpty {
            let domains: [DomainInfo]
            do { domains = try hypervisor.domains() } catch { throw ToolstackError("uptime: cannot list domains: \(error.returned)") }
            ids = [.dom0] + domains.map(\.id).filter { $0 != .dom0 }
        } else {
            for argument in arguments {
                do { ids.append(try findDomain(argument).id) } catch let error as ToolstackError {
                    throw ToolstackError("uptime \(argument): \(error.message)")
                }
            }
        }
        var rows: [DomainUptime] = []
        for id in ids {
            let name = try domainName(id) ?? "(null)"
            if id == .dom0 {
                rows.append(DomainUptime(id: id, name: name, seconds: try dom0Uptime()))
                continue
            }
            guard let started = try startTime(id) else { continue }
            rows.append(DomainUptime(id: id, name: name, seconds: now > started ? UInt64(now - started) : 0))
        }
        return rows
    }

    /// libxl's `libxl_vm_get_start_time`: the whole seconds of `/vm/UUID/start_time`; nil when there is none.
    private func startTime(_ id: DomainID) throws -> Double? {
        let home = "/local/domain/\(id)"
        do {
            guard let vm = try xenstore.readString(home + "/vm").flatMap(Self.vmPath),
                let text = try xenstore.readString(vm + "/start_time"),
                let seconds = UInt32(text.prefix { $0.isASCII && $0.isNumber })
            else { return nil }
            return Double(seconds)
        } catch {
            throw ToolstackError("uptime: cannot read the start time of domain \(id) from xenstore: \(error.errno)")
        }
    }
}
