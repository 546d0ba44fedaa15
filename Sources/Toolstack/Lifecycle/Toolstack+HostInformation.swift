// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// What `xl info` reports about the host and the hypervisor.
public struct HostReport: Hashable, Sendable {
    public var physical: PhysicalInfo
    public var version: XenVersionInfo
    /// libxl's name of the scheduler (`credit2`), or the id in hex when it has none.
    public var scheduler: String
    /// How many CPUs are in no cpupool (`XEN_SYSCTL_CPUPOOL_OP_FREEINFO`).
    public var freeCPUs: Int
}

extension Toolstack {
    /// `xl info`: `XEN_SYSCTL_physinfo`, the `XENVER_*` queries, `XEN_SYSCTL_sched_id` and the free CPUs.
    public func hostReport() throws -> HostReport {
        let host = try hostInformation("info")
        let control = try cpuControl("info")
        let physical: PhysicalInfo, version: XenVersionInfo, id: UInt32, free: CPUSet
        do throws(HypervisorError) {
            physical = try host.physicalInfo()
            version = try host.versionInfo()
            id = try host.schedulerID()
            free = try control.freeCPUs()
        } catch {
            throw ToolstackError("info: \(error.returned)")
        }
        return HostReport(physical: physical, version: version, scheduler: Scheduler(rawValue: id).name, freeCPUs: free.count)
    }

    /// `xl dmesg [-c]`: Xen's console ring, emptied as well when `clear`. A dry run reads it and leaves it as it is.
    public func readXenConsole(clear: Bool) throws -> [UInt8] {
        let host = try hostInformation("dmesg")
        let text: [UInt8]
        do throws(HypervisorError) { text = try host.readConsole(clear: clear && !dryRun) } catch {
            throw ToolstackError("dmesg: \(error.returned)")
        }
        if clear && dryRun { log("dry run: would clear Xen's console ring") }
        return text
    }

    func hostInformation(_ command: String) throws -> any HostInformation {
        guard let host = hypervisor as? any HostInformation else {
            throw ToolstackError("\(command): this hypervisor backend cannot report on the host")
        }
        return host
    }
}
