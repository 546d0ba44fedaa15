// SPDX-License-Identifier: Apache-2.0
/// A device-tree overlay (dtbo): its fragments, where each one points, and the nodes each one adds.
public struct Overlay: Sendable {
    /// The overlay as a tree.
    public let tree: DeviceTree
    /// The fragments that carry an `__overlay__` node, in blob order.
    public let fragments: [Fragment]

    /// One `fragment@N` node of an overlay.
    public struct Fragment: Hashable, Sendable {
        /// The fragment node's name, such as `fragment@0`.
        public var name: String
        public var target: Target
        /// The names of the nodes directly under `__overlay__`: the nodes this fragment adds.
        public var nodes: [String]
        /// Whether `__overlay__` itself carries properties (which change the target node).
        public var changesTargetProperties: Bool
    }

    /// How a fragment names the node it applies to.
    public enum Target: Hashable, Sendable, CustomStringConvertible {
        /// `target-path = "/soc"`.
        case path(String)
        /// `target = <&label>`, still unresolved: a `__fixups__` entry names the label.
        case label(String)
        /// `target = <phandle>`, already resolved.
        case phandle(UInt32)

        public var description: String {
            switch self {
            case .path(let path): return "target-path \"\(path)\""
            case .label(let label): return "target <&\(label)>"
            case .phandle(let phandle): return "target <0x\(String(phandle, radix: 16))>"
            }
        }
    }

    /// Reads the fragments of `tree`; throws when it has no fragment with an `__overlay__` node,
    /// or when a fragment has no usable target.
    public init(_ tree: DeviceTree) throws(DeviceTreeError) {
        self.tree = tree
        try OverlayFixups.check(tree)
        let labels = try Overlay.fixupLabels(in: tree)
        var fragments: [Fragment] = []
        for name in try tree.children(of: "/") where !name.hasPrefix("__") {
            let path = "/" + name
            let children = try tree.children(of: path)
            guard children.contains("__overlay__") else { continue }
            let overlayPath = path + "/__overlay__"
            let target: Target
            if let label = labels[path + ":target:0"] {
                target = .label(label)
            } else if let value = tree.property("target-path", of: path) {
                guard let text = value.deviceTreeString, text.hasPrefix("/") else {
                    throw DeviceTreeError("overlay fragment \(path): target-path is not an absolute path string")
                }
                target = .path(text)
            } else if let value = tree.property("target", of: path) {
                guard let cells = value.deviceTreeCells, cells.count == 1 else {
                    throw DeviceTreeError("overlay fragment \(path): target is not a single phandle cell")
                }
                target = .phandle(cells[0])
            } else {
                throw DeviceTreeError("overlay fragment \(path) has neither target-path nor target")
            }
            fragments.append(Fragment(
                name: name, target: target, nodes: try tree.children(of: overlayPath),
                changesTargetProperties: !(try tree.properties(of: overlayPath)).isEmpty))
        }
        guard !fragments.isEmpty else {
            throw DeviceTreeError("not a device-tree overlay: no fragment has an __overlay__ node")
        }
        self.fragments = fragments
    }

    /// The host path a fragment applies to, or `nil` when `host` cannot resolve it.
    ///
    /// A label resolves through the host's `/__symbols__` (the host must be built with `dtc -@`).
    public static func resolve(_ target: Target, in host: DeviceTree) -> String? {
        switch target {
        case .path(let path):
            return host.hasNode(path) ? path : nil
        case .label(let label):
            guard let path = host.property(label, of: "/__symbols__")?.deviceTreeString, host.hasNode(path) else { return nil }
            return path
        case .phandle(let phandle):
            return host.path(ofPhandle: phandle)
        }
    }

    /// `label` for every `__fixups__` entry `"/fragment@N:target:0"`, keyed by that entry.
    private static func fixupLabels(in tree: DeviceTree) throws(DeviceTreeError) -> [String: String] {
        guard tree.hasNode("/__fixups__") else { return [:] }
        var result: [String: String] = [:]
        for property in try tree.properties(of: "/__fixups__") {
            guard let uses = property.value.deviceTreeStrings else {
                throw DeviceTreeError("overlay /__fixups__/\(property.name) is not a list of strings")
            }
            for use in uses { result[use] = property.name }
        }
        return result
    }
}
