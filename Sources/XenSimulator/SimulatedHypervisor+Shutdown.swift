// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// `domain_shutdown`: how a domain stops running without being destroyed, asked by the toolstack
/// (`SCHEDOP_remote_shutdown`) or by the guest itself (`SCHEDOP_shutdown`, its watchdog, a crash).
extension SimulatedHypervisor {
    /// `SCHEDOP_remote_shutdown` from dom0: `ESRCH` for a missing domain; the hardware domain is refused with
    /// `EINVAL` (Xen would shut the whole host down; xl never asks).
    public func remoteShutdown(_ domain: DomainID, reason: ShutdownReason) throws(HypervisorError) {
        let name = "SCHEDOP_remote_shutdown"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        guard domain != .dom0 else { throw HypervisorError(name, errno: .EINVAL) }
        shutDown(index, reason)
    }

    /// The guest of `domain` shuts itself down (`SCHEDOP_shutdown`), as after `poweroff` or `reboot` inside it,
    /// a kernel panic (`crash`) or its watchdog firing (`watchdog`): the test hook for a guest's own shutdown.
    /// `ESRCH` for a missing domain.
    public func guestShutdown(_ domain: DomainID, reason: ShutdownReason) throws(HypervisorError) {
        let index = try domainIndex(domain, "SCHEDOP_shutdown")
        shutDown(index, reason)
    }

    /// Xen keeps the first reason of a domain already shutting down and does nothing more; else its vCPUs
    /// stop and it is shut down, which raises `VIRQ_DOM_EXC` (see ``SimulatedHost/save()``).
    func shutDown(_ index: Int, _ reason: ShutdownReason) {
        guard !state.domains[index].state.contains(.shutdown) else { return }
        state.domains[index].state.remove(.running)
        state.domains[index].state.remove(.blocked)
        state.domains[index].state.insert(.shutdown)
        state.domains[index].shutdownReason = reason.rawValue
    }
}
