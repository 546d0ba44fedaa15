// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Toolstack
import XenSimulator
import XenStoreClient
import XenTypes

/// The simulator's default host tree, the tree every input is checked against.
let hostTree = try! DefaultHostTree.make()

/// libFuzzer entry: the input is a dtbo given to `xl -N dt-overlay add FILE` on a simulated host booted with the
/// default host tree: the file checks (`OverlayFile`), then every check of the add (targets, new nodes, the overlay
/// applied onto the host tree by libfdt, the devices' resources) for Xen 4.19 (target-path only) and 4.22 (labels).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOverlay(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = try? OverlayFile(path: "fuzz.dtbo", blob: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for version in [XenVersion.v4_19, .v4_22] {
        let hypervisor = SimulatedHypervisor(state: SimulatedHostState(version: version, hostTree: hostTree))
        let toolstack = Toolstack(hypervisor: hypervisor, xenstore: InMemoryXenStore(), bootTree: hostTree, dryRun: true, output: { _ in })
        try? toolstack.addOverlay(file)
    }
    return 0
}
