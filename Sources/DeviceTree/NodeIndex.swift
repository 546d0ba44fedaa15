// SPDX-License-Identifier: Apache-2.0
import XenSys

/// Every node's offset by path and path by phandle, built in one walk of a tree, so that reading
/// a property does not look its node up again through the whole blob.
struct NodeIndex: Sendable {
    private(set) var offsets: [String: Int32] = [:]
    private(set) var phandles: [UInt32: String] = [:]

    /// An index of `fdt`; empty when the walk fails (lookups then go to libfdt, which reports why).
    init(_ fdt: FDT) {
        guard let nodes = try? fdt.nodes(under: 0, path: "/") else { return }
        offsets.reserveCapacity(nodes.count)
        for node in nodes {
            offsets[node.path] = node.offset
            let phandle = fdt.phandle(at: node.offset)
            // libfdt's lookup gives the first node in blob order that carries the phandle.
            if phandle != 0, phandle != UInt32.max, phandles[phandle] == nil { phandles[phandle] = node.path }
        }
    }
}
