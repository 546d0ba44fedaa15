// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The whole xenstore database as plain data: every node by absolute path, as the simulator persists it.
public struct XenStoreTree: Codable, Sendable, Equatable {
    /// One node: its value, its access list (owner first) and its children in the daemon's order.
    public struct Node: Codable, Sendable, Equatable {
        public var value: [UInt8]
        public var permissions: [XenStorePermission]
        public var children: [String]
        public init(value: [UInt8] = [], permissions: [XenStorePermission], children: [String] = []) {
            self.value = value
            self.permissions = permissions
            self.children = children
        }
    }

    /// Nodes by absolute path; `/` is always present.
    public var nodes: [String: Node]
    /// Domains introduced with `XS_INTRODUCE` (dom0 is always introduced and not listed); `nil` when none.
    public var introduced: [Introduction]?
    /// How often `@releaseDomain` fired (`VIRQ_DOM_EXC`: a domain shut down or died); `nil` before the first.
    /// Kept with the tree so that every process sharing it fires its own watches, as each has its own connection.
    public var releases: UInt64?

    /// One introduced domain: its ring page and event channel.
    public struct Introduction: Codable, Sendable, Equatable {
        public var domain: DomainID
        public var mfn: UInt64
        public var eventChannel: UInt32
        public init(domain: DomainID, mfn: UInt64, eventChannel: UInt32) {
            self.domain = domain
            self.mfn = mfn
            self.eventChannel = eventChannel
        }
    }

    /// What xenstored 4.17 holds right after it starts: `/`, `/tool` and `/tool/xenstored`, all `n0`.
    public init() {
        let owner = [XenStorePermission(.none, .dom0)]
        nodes = [
            "/": Node(permissions: owner, children: ["tool"]),
            "/tool": Node(permissions: owner, children: ["xenstored"]),
            "/tool/xenstored": Node(permissions: owner),
        ]
    }

    /// A tree of exactly these nodes; `/` is added, owned by dom0 with `n0`, when missing.
    public init(nodes: [String: Node]) {
        self.nodes = nodes
        if self.nodes["/"] == nil {
            self.nodes["/"] = Node(permissions: [XenStorePermission(.none, .dom0)])
        }
    }

    /// The parent of an absolute path other than `/`.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The last component of an absolute path.
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `parent/name`, without doubling the slash under `/`.
    static func child(_ name: String, of parent: String) -> String {
        parent == "/" ? "/" + name : parent + "/" + name
    }
}
