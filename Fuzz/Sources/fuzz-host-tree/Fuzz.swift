// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenTypes

/// libFuzzer entry: the input is a host device tree, as `init-dom0less --host-dtb` and `xl --host-dtb` read it:
/// the dom0less domains under `/chosen` (with their static memory, passthrough and shared memory) as Xen 4.18 and
/// 4.22 read them, then every node's device resources (`reg` through `ranges`, interrupts, the interrupt parent).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHostTree(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tree = try? DeviceTree(validating: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for version in [XenVersion.v4_18, .v4_22] {
        _ = try? Dom0lessDomainNode.all(in: tree, version: version)
    }
    guard let nodes = try? tree.nodePaths() else { return 0 }
    for node in nodes {
        _ = try? tree.resources(of: node)
        if let parent = tree.interruptParent(of: node) { _ = tree.isGIC(parent) }
    }
    return 0
}
