// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// One entry of Xen's overlay tracker (`struct overlay_track`): the blob as added, the nodes
/// it put into the host tree, and the resources `attach` granted.
public struct TrackedOverlay: Hashable, Sendable, Codable {
    /// A byte copy of the blob given to `add`; `remove` and `attach` match by byte identity.
    @Base64Bytes public var blob: [UInt8]
    /// Full paths of the nodes the overlay added.
    public var nodes: [String]
    /// Set once `attach` ran (Xen's `irq_ranges`/`iomem_ranges` are non-NULL from then on).
    public var attachedTo: DomainID?
    public var irqs: [UInt32] = []
    public var frames: [UInt64] = []

    public init(blob: [UInt8], nodes: [String]) {
        self.blob = blob
        self.nodes = nodes
    }
}
