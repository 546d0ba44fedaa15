// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// The xenstore nodes `init-dom0less` writes for one domain, with the permissions libxl gives a domain
/// it creates (`libxl__domain_make`): the guest reads its home but owns only the nodes it must write.
public struct Dom0lessXenstoreTree: Hashable, Sendable {
    public var domain: DomainID
    public var name: String
    public var uuid: String
    public var startTime: String
    public var maxMemoryKiB: UInt64
    public var targetMemoryKiB: UInt64
    public var onlineVCPUs: [Bool]
    public var eventChannel: UInt32
    public var ringPFN: UInt64
    /// The libxl JSON stub kept at `/libxl/<domid>/libxl-json`.
    public var libxlJSON: String

    /// One node: path, value, and the permissions to set on it (`nil`: it inherits its parent's).
    public struct Node: Hashable, Sendable {
        public var path: String
        public var value: String
        public var permissions: [XenStorePermission]?
    }

    /// `[n0, r<domid>]`: dom0 owns, the guest reads.
    public var readOnly: [XenStorePermission] { [XenStorePermission(.none, .dom0), XenStorePermission(.read, domain)] }
    /// `[n<domid>]`: the guest owns (it writes these), dom0 may anyway.
    public var guestOwned: [XenStorePermission] { [XenStorePermission(.none, domain)] }
    /// `[n0]`: toolstack only.
    public static let toolstackOnly = [XenStorePermission(.none, .dom0)]

    public var home: String { "/local/domain/\(domain)" }
    public var vmPath: String { "/vm/\(uuid)" }
    public var libxlPath: String { "/libxl/\(domain)" }

    /// Every node in write order; a node with permissions comes before the nodes that inherit them.
    public var nodes: [Node] {
        var nodes: [Node] = [
            Node(path: vmPath, value: "", permissions: readOnly),
            Node(path: vmPath + "/uuid", value: uuid),
            Node(path: vmPath + "/name", value: name),
            Node(path: vmPath + "/start_time", value: startTime),
            Node(path: home, value: "", permissions: readOnly),
            Node(path: home + "/vm", value: vmPath),
            Node(path: home + "/name", value: name),
            Node(path: home + "/domid", value: "\(domain)"),
        ]
        for (vcpu, online) in onlineVCPUs.enumerated() {
            nodes.append(Node(path: home + "/cpu/\(vcpu)/availability", value: online ? "online" : "offline"))
        }
        nodes += [
            Node(path: home + "/memory/static-max", value: "\(maxMemoryKiB)"),
            Node(path: home + "/memory/target", value: "\(targetMemoryKiB)"),
            Node(path: home + "/memory/videoram", value: "-1"),
            Node(path: home + "/store/port", value: "\(eventChannel)"),
            Node(path: home + "/store/ring-ref", value: "\(ringPFN)"),
            Node(path: home + "/control/platform-feature-multiprocessor-suspend", value: "1"),
            Node(path: home + "/control/platform-feature-xs_reset_watches", value: "1"),
            Node(path: home + "/control/shutdown", value: "", permissions: guestOwned),
            Node(path: home + "/control/feature-poweroff", value: "1", permissions: guestOwned),
            Node(path: home + "/control/feature-reboot", value: "1", permissions: guestOwned),
            Node(path: home + "/control/feature-suspend", value: "", permissions: guestOwned),
            Node(path: home + "/control/sysrq", value: "", permissions: guestOwned),
            Node(path: home + "/device/suspend/event-channel", value: "", permissions: guestOwned),
            Node(path: home + "/data", value: "", permissions: guestOwned),
            Node(path: home + "/drivers", value: "", permissions: guestOwned),
            Node(path: home + "/feature", value: "", permissions: guestOwned),
            Node(path: home + "/attr", value: "", permissions: guestOwned),
            Node(path: libxlPath, value: "", permissions: Self.toolstackOnly),
            Node(path: libxlPath + "/type", value: "pvh"),
            Node(path: libxlPath + "/dm-version", value: "qemu_xen"),
            Node(path: libxlPath + "/libxl-json", value: libxlJSON),
        ]
        return nodes
    }

    /// Writes every node in `transaction`: one `XS_WRITE` per node (parents are created with their
    /// parent's permissions) and one `XS_SET_PERMS` where the permissions differ.
    func write(to store: any XenStore, in transaction: XenStoreTransaction) throws(XenStoreError) {
        for node in nodes {
            try store.write(node.path, Array(node.value.utf8), in: transaction)
            if let permissions = node.permissions { try store.setPermissions(node.path, permissions, in: transaction) }
        }
    }
}
