// SPDX-License-Identifier: Apache-2.0
import Toolstack
import XenControl

extension CommandContext {
    /// The hypervisor operations of `init-dom0less`: the simulated host's, or libxenctrl's.
    /// Call after ``toolstack()``, which opens the simulated host.
    func dom0lessControl() throws -> any Dom0lessControl {
        if let host = simulatedHost { return host.hypervisor }
        do { return try XenCtrlDom0lessControl() } catch { throw HostMessages.unreachable(error) }
    }
}
