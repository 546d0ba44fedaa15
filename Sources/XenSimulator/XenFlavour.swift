// SPDX-License-Identifier: Apache-2.0
/// Which Xen a simulated host runs: the same release numbers exist upstream and in vendor forks.
public enum XenFlavour: String, Hashable, Sendable, Codable, CaseIterable {
    /// xen-project's Xen: no run-time static shared memory (`XENMAPSPACE_gmfn_share` does not exist).
    case upstream
    /// The Xilinx/AMD fork (`xlnx_rebase_4.16`/`4.17`): `XENMEM_add_to_physmap_batch` also takes
    /// `XENMAPSPACE_gmfn_share`, so dom0 can map one domU's RAM into another (`static_shm`).
    case xilinx
}
