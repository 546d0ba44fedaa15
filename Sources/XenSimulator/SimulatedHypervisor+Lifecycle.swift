// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

extension SimulatedHypervisor {
    /// `XEN_DOMCTL_pausedomain` as Xen answers it: `EINVAL` for the calling domain (dom0 here),
    /// `EOVERFLOW` past 255 pauses, else one more pause and the domain stops running.
    public func pause(_ domain: DomainID) throws(HypervisorError) {
        let name = "XEN_DOMCTL_pausedomain"
        try injectedFailure(name)
        let index = try domainIndex(domain, name)
        guard domain != .dom0 else { throw HypervisorError(name, errno: .EINVAL) }
        guard state.domains[index].controllerPauses < 255 else { throw HypervisorError(name, errno: .EOVERFLOW) }
        state.domains[index].controllerPauses += 1
        state.domains[index].state.remove(.running)
        state.domains[index].state.insert(.paused)
    }
}
