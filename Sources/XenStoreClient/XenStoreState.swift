// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// Who sends a request: the connection and the domain it acts as; only dom0 is privileged.
struct XenStoreCaller {
    let connection: Int
    let domain: DomainID
    var isPrivileged: Bool { domain == .dom0 }
}

/// The xenstored 4.17 request semantics over a ``XenStoreTree``; ``XenStoreDatabase`` keeps it under its lock.
///
/// Transactions work as in the daemon: a transaction sees the live tree plus its own changes, records the
/// generation of every node it touches, and its commit fails with `EAGAIN` when any of them changed since.
struct XenStoreState {
    typealias Node = XenStoreTree.Node

    private enum Pending {
        case node(Node)
        case removed
    }

    /// A change to report to watches: `exact` ones fire only watches on that very path.
    private struct Change {
        var path: String
        var exact: Bool
        var permissions: [[XenStorePermission]]
    }

    private struct Transaction {
        var connection: Int
        var overlay: [String: Pending] = [:]
        var accessed: [String: UInt64?] = [:]
        var changes: [Change] = []
    }

    private struct Watch {
        var connection: Int
        var domain: DomainID
        var absolute: String
        var token: String
        var relative: Bool
    }

    private static let readBit: UInt8 = 1
    private static let writeBit: UInt8 = 2
    private static let ownerBit: UInt8 = 8
    /// The `node-size` quota for unprivileged domains, counted over the stored record.
    private static let maxNodeSize = 2048
    /// The `permissions` quota: entries after the owner, for unprivileged domains.
    private static let maxPermissions = 5
    /// The `nodes` quota: how many nodes an unprivileged domain may own.
    static let maxNodesPerDomain = 1000

    private(set) var tree: XenStoreTree
    /// Counts committed changes (nodes, introductions), so a caller can tell whether the tree changed.
    private(set) var revision: UInt64 = 0
    private var generations: [String: UInt64] = [:]
    private var generation: UInt64 = 0
    private var nextConnection = 1
    private var nextTransaction: UInt32 = 1
    private var transactions: [UInt32: Transaction] = [:]
    private var watches: [Watch] = []
    private var queues: [Int: [XenStoreWatchEvent]] = [:]

    init(tree: XenStoreTree) {
        self.tree = tree
        replace(tree)
    }

    /// Replaces every node; all of them get new generations, so open transactions cannot commit.
    mutating func replace(_ tree: XenStoreTree) {
        self.tree = XenStoreTree(nodes: tree.nodes)
        self.tree.introduced = tree.introduced
        self.tree.releases = tree.releases
        generations = [:]
        for path in self.tree.nodes.keys { bump(path) }
        revision += 1
    }

    /// Takes over `newTree`, which another process made from this one: only the nodes that differ get
    /// new generations (so transactions that touched them fail to commit), and the watches fire as the
    /// daemon would have fired them: for each node written (the deepest of a newly created chain),
    /// for the top of each removed subtree and exactly for watched nodes below it,
    /// `@introduceDomain` for each new introduction and `@releaseDomain` once when any went.
    mutating func adopt(_ newTree: XenStoreTree) {
        let old = tree
        let incoming = XenStoreTree(nodes: newTree.nodes)
        guard old.nodes != incoming.nodes || old.introduced != newTree.introduced || old.releases != newTree.releases else { return }
        var changes: [Change] = []
        for path in incoming.nodes.keys.sorted() {
            guard let node = incoming.nodes[path], old.nodes[path] != node else { continue }
            tree.nodes[path] = node
            bump(path)
            if let previous = old.nodes[path] {
                if previous.value != node.value || previous.permissions != node.permissions {
                    changes.append(Change(path: path, exact: false, permissions: [node.permissions, previous.permissions]))
                }
            } else if !node.children.contains(where: { old.nodes[XenStoreTree.child($0, of: path)] == nil }) {
                changes.append(Change(path: path, exact: false, permissions: [node.permissions]))
            }
        }
        for path in old.nodes.keys.sorted() where incoming.nodes[path] == nil {
            guard let node = old.nodes[path] else { continue }
            tree.nodes[path] = nil
            generations[path] = nil
            let parentRemoved = incoming.nodes[XenStoreTree.parent(of: path)] == nil
            changes.append(Change(path: path, exact: parentRemoved, permissions: [node.permissions]))
        }
        let known = Set((old.introduced ?? []).map(\.domain))
        let now = Set((newTree.introduced ?? []).map(\.domain))
        tree.introduced = newTree.introduced
        let released = old.releases != newTree.releases
        tree.releases = newTree.releases
        for _ in now.subtracting(known) {
            changes.append(Change(path: "@introduceDomain", exact: true, permissions: [[XenStorePermission(.none, .dom0)]]))
        }
        if released || !known.subtracting(now).isEmpty {
            changes.append(Change(path: "@releaseDomain", exact: true, permissions: [[XenStorePermission(.none, .dom0)]]))
        }
        revision += 1
        changes.forEach { deliver($0) }
    }

    // MARK: Connections and events

    mutating func connect() -> Int {
        defer { nextConnection += 1 }
        queues[nextConnection] = []
        return nextConnection
    }

    mutating func disconnect(_ connection: Int) {
        watches.removeAll { $0.connection == connection }
        transactions = transactions.filter { $0.value.connection != connection }
        queues[connection] = nil
    }

    mutating func popEvent(for connection: Int) -> XenStoreWatchEvent? {
        guard let first = queues[connection]?.first else { return nil }
        queues[connection]?.removeFirst()
        return first
    }

    // MARK: Requests

    mutating func read(_ path: String, _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) -> [UInt8] {
        let name = try canonical(path, caller)
        try check(tx, caller)
        return try fetch(name, Self.readBit, caller, tx).get().value
    }

    mutating func write(_ path: String, _ value: [UInt8], _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) {
        guard path.utf8.count + 1 + value.count <= XenStorePath.maxPayload else { throw .E2BIG }
        let name = try canonical(path, caller)
        try check(tx, caller)
        switch fetch(name, Self.writeBit, caller, tx) {
        case .success(var node):
            node.value = value
            try checkSize(node, caller)
            store(name, node, tx)
        case .failure(.ENOENT):
            try create(name, value, caller, tx)
        case .failure(let errno):
            throw errno
        }
        fire(Change(path: name, exact: false, permissions: [lookup(name, tx)?.permissions ?? []]), tx)
    }

    mutating func mkdir(_ path: String, _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) {
        let name = try canonical(path, caller)
        try check(tx, caller)
        switch fetch(name, Self.writeBit, caller, tx) {
        case .success:
            return
        case .failure(.ENOENT):
            try create(name, [], caller, tx)
            fire(Change(path: name, exact: false, permissions: [lookup(name, tx)?.permissions ?? []]), tx)
        case .failure(let errno):
            throw errno
        }
    }

    mutating func directory(_ path: String, _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) -> [String] {
        let name = try canonical(path, caller)
        try check(tx, caller)
        return try fetch(name, Self.readBit, caller, tx).get().children
    }

    mutating func remove(_ path: String, _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) {
        let name = try canonical(path, caller)
        try check(tx, caller)
        switch fetch(name, Self.writeBit, caller, tx) {
        case .success:
            guard name != "/" else { throw .EINVAL }
            let parentName = XenStoreTree.parent(of: name)
            guard var parent = lookup(parentName, tx) else { throw .EINVAL }
            removeTree(name, root: name, tx)
            parent.children.removeAll { $0 == XenStoreTree.name(of: name) }
            store(parentName, parent, tx)
        case .failure(.ENOENT):
            guard lookup(XenStoreTree.parent(of: name), tx) != nil else { throw .ENOENT }
        case .failure(let errno):
            throw errno
        }
    }

    mutating func permissions(_ path: String, _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) -> [XenStorePermission] {
        let name = try canonical(path, caller)
        try check(tx, caller)
        return try fetch(name, Self.readBit, caller, tx).get().permissions
    }

    mutating func setPermissions(_ path: String, _ permissions: [XenStorePermission], _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) {
        guard let owner = permissions.first else { throw .EINVAL }
        guard caller.isPrivileged || permissions.count - 1 <= Self.maxPermissions else { throw .ENOSPC }
        let name = try canonical(path, caller)
        try check(tx, caller)
        var node = try fetch(name, Self.writeBit | Self.ownerBit, caller, tx).get()
        guard caller.isPrivileged || owner.domain == node.permissions.first?.domain else { throw .EPERM }
        let old = node.permissions
        node.permissions = permissions
        try checkSize(node, caller)
        store(name, node, tx)
        fire(Change(path: name, exact: false, permissions: [permissions, old]), tx)
    }

    mutating func startTransaction(_ caller: XenStoreCaller) -> UInt32 {
        defer { nextTransaction = nextTransaction == UInt32.max ? 1 : nextTransaction + 1 }
        transactions[nextTransaction] = Transaction(connection: caller.connection)
        return nextTransaction
    }

    /// Ends a transaction; `false` when the commit conflicted with a change made meanwhile.
    mutating func endTransaction(_ tx: UInt32, commit: Bool, _ caller: XenStoreCaller) throws(Errno) -> Bool {
        try check(tx, caller)
        guard let transaction = transactions.removeValue(forKey: tx) else { throw .ENOENT }
        guard commit else { return true }
        for (path, seen) in transaction.accessed where generations[path] != seen {
            return false
        }
        if !transaction.overlay.isEmpty { revision += 1 }
        for (path, pending) in transaction.overlay {
            switch pending {
            case .node(let node):
                tree.nodes[path] = node
                bump(path)
            case .removed:
                tree.nodes[path] = nil
                generations[path] = nil
            }
        }
        transaction.changes.forEach { deliver($0) }
        return true
    }

    mutating func watch(_ path: String, token: String, _ caller: XenStoreCaller) throws(Errno) {
        guard let absolute = XenStorePath.canonicalWatch(path, caller: caller.domain) else { throw .EINVAL }
        guard !watches.contains(where: { $0.connection == caller.connection && $0.absolute == absolute && $0.token == token })
        else { throw .EEXIST }
        let relative = !path.hasPrefix("/") && !path.hasPrefix("@")
        watches.append(Watch(connection: caller.connection, domain: caller.domain, absolute: absolute, token: token, relative: relative))
        let reported = XenStorePath.reported(absolute, relative: relative, caller: caller.domain)
        queues[caller.connection, default: []].append(XenStoreWatchEvent(path: reported, token: token))
    }

    mutating func unwatch(_ path: String, token: String, _ caller: XenStoreCaller) throws(Errno) {
        guard let absolute = XenStorePath.canonicalWatch(path, caller: caller.domain) else { throw .EINVAL }
        guard let index = watches.firstIndex(where: {
            $0.connection == caller.connection && $0.absolute == absolute && $0.token == token
        }) else { throw .ENOENT }
        watches.remove(at: index)
    }

    /// `do_introduce`: dom0 only; a new domain fires `@introduceDomain`; the same page again succeeds.
    mutating func introduce(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32, _ caller: XenStoreCaller) throws(Errno) {
        guard caller.isPrivileged else { throw .EACCES }
        guard domain != .dom0, domain.isOrdinary else { throw .EINVAL }
        if let existing = tree.introduced?.first(where: { $0.domain == domain }) {
            guard existing.mfn == mfn else { throw .EINVAL }
            return
        }
        tree.introduced = (tree.introduced ?? []) + [XenStoreTree.Introduction(domain: domain, mfn: mfn, eventChannel: eventChannel)]
        revision += 1
        deliver(Change(path: "@introduceDomain", exact: true, permissions: [[XenStorePermission(.none, .dom0)]]))
    }

    /// `domain_cleanup` after `VIRQ_DOM_EXC`: introduced domains Xen no longer has are forgotten, and
    /// `@releaseDomain` fires when there were any.
    mutating func releaseDomains(notIn alive: Set<DomainID>) {
        guard let introduced = tree.introduced else { return }
        let kept = introduced.filter { alive.contains($0.domain) }
        guard kept.count != introduced.count else { return }
        tree.introduced = kept.isEmpty ? nil : kept
        domainException()
    }

    /// xenstored's `VIRQ_DOM_EXC` handler for a domain that shut down but still exists: `@releaseDomain` fires,
    /// as it does when a domain dies, so that a toolstack waiting for either looks at the domains again.
    mutating func domainException() {
        tree.releases = (tree.releases ?? 0) &+ 1
        revision += 1
        deliver(Change(path: "@releaseDomain", exact: true, permissions: [[XenStorePermission(.none, .dom0)]]))
    }

    /// `XS_IS_DOMAIN_INTRODUCED`.
    func isIntroduced(_ domain: DomainID) -> Bool {
        domain == .dom0 || tree.introduced?.contains { $0.domain == domain } == true
    }

    // MARK: Nodes

    private func canonical(_ path: String, _ caller: XenStoreCaller) throws(Errno) -> String {
        guard let name = XenStorePath.canonical(path, caller: caller.domain), !name.hasPrefix("@") else { throw .EINVAL }
        return name
    }

    private func check(_ tx: UInt32?, _ caller: XenStoreCaller) throws(Errno) {
        guard let tx else { return }
        guard transactions[tx]?.connection == caller.connection else { throw .ENOENT }
    }

    private mutating func bump(_ path: String) {
        generation += 1
        generations[path] = generation
    }

    /// A node as `tx` sees it, noting in `tx` that it was looked at.
    private mutating func lookup(_ path: String, _ tx: UInt32?) -> Node? {
        guard let tx, transactions[tx] != nil else { return tree.nodes[path] }
        if transactions[tx]?.accessed.index(forKey: path) == nil {
            transactions[tx]?.accessed[path] = .some(generations[path])
        }
        switch transactions[tx]?.overlay[path] {
        case .node(let node): return node
        case .removed: return nil
        case nil: return tree.nodes[path]
        }
    }

    private mutating func store(_ path: String, _ node: Node?, _ tx: UInt32?) {
        if let tx, transactions[tx] != nil {
            _ = lookup(path, tx)
            transactions[tx]?.overlay[path] = node.map(Pending.node) ?? .removed
        } else {
            tree.nodes[path] = node
            if node == nil { generations[path] = nil } else { bump(path) }
            revision += 1
        }
    }

    private static func bits(_ access: XenStorePermission.Access) -> UInt8 {
        switch access {
        case .none: 0
        case .read: readBit
        case .write: writeBit
        case .both: readBit | writeBit
        }
    }

    /// `perm_for_conn`: what `caller` may do with a node carrying `permissions`.
    private static func granted(_ permissions: [XenStorePermission], to caller: XenStoreCaller) -> UInt8 {
        guard let owner = permissions.first else { return caller.isPrivileged ? readBit | writeBit | ownerBit : 0 }
        if caller.isPrivileged || owner.domain == caller.domain { return readBit | writeBit | ownerBit }
        if let entry = permissions.dropFirst().first(where: { $0.domain == caller.domain }) { return bits(entry.access) }
        return bits(owner.access)
    }

    /// `get_node`: the node if `caller` holds all of `need`; else `EACCES`, or `ENOENT` for a missing node
    /// whose nearest existing ancestor grants `caller` any of `need`.
    private mutating func fetch(_ name: String, _ need: UInt8, _ caller: XenStoreCaller, _ tx: UInt32?) -> Result<Node, Errno> {
        let node = lookup(name, tx)
        if let node, Self.granted(node.permissions, to: caller) & need == need { return .success(node) }
        let errno: Errno = node == nil ? .ENOENT : .EACCES
        var ancestor = name
        while ancestor != "/" {
            ancestor = XenStoreTree.parent(of: ancestor)
            if let parent = lookup(ancestor, tx) {
                return .failure(Self.granted(parent.permissions, to: caller) & need != 0 ? errno : .EACCES)
            }
        }
        return .failure(.EACCES)
    }

    /// The stored record size the daemon checks against `node-size` for unprivileged domains.
    private func checkSize(_ node: Node, _ caller: XenStoreCaller) throws(Errno) {
        guard !caller.isPrivileged else { return }
        let children = node.children.reduce(0) { $0 + $1.utf8.count + 1 }
        let size = 24 + 8 * node.permissions.count + node.value.count + children
        guard size <= Self.maxNodeSize else { throw .ENOSPC }
    }

    /// `create_node`: makes `name` and its missing parents, which inherit the permissions of the nearest
    /// existing ancestor, except that an unprivileged creator becomes their owner.
    private mutating func create(_ name: String, _ value: [UInt8], _ caller: XenStoreCaller, _ tx: UInt32?) throws(Errno) {
        var missing = [name]
        var ancestorName = XenStoreTree.parent(of: name)
        var ancestor = lookup(ancestorName, tx)
        while ancestor == nil, ancestorName != "/" {
            missing.append(ancestorName)
            ancestorName = XenStoreTree.parent(of: ancestorName)
            ancestor = lookup(ancestorName, tx)
        }
        guard var top = ancestor, !top.permissions.isEmpty else { throw .EINVAL }
        var permissions = top.permissions
        if !caller.isPrivileged { permissions[0].domain = caller.domain }
        let created = Array(missing.reversed())
        top.children.append(XenStoreTree.name(of: created[0]))
        var updates = [(ancestorName, top)]
        for (index, path) in created.enumerated() {
            let isLeaf = index == created.count - 1
            let children = isLeaf ? [] : [XenStoreTree.name(of: created[index + 1])]
            updates.append((path, Node(value: isLeaf ? value : [], permissions: permissions, children: children)))
        }
        for (_, node) in updates { try checkSize(node, caller) }
        if !caller.isPrivileged, nodes(ownedBy: caller.domain, tx) + created.count > Self.maxNodesPerDomain { throw .ENOSPC }
        for (path, node) in updates { store(path, node, tx) }
    }

    /// How many nodes `domain` owns, as `tx` sees the tree.
    private func nodes(ownedBy domain: DomainID, _ tx: UInt32?) -> Int {
        var count = tree.nodes.values.reduce(0) { $0 + ($1.permissions.first?.domain == domain ? 1 : 0) }
        guard let tx, let overlay = transactions[tx]?.overlay else { return count }
        for (path, pending) in overlay {
            if tree.nodes[path]?.permissions.first?.domain == domain { count -= 1 }
            if case .node(let node) = pending, node.permissions.first?.domain == domain { count += 1 }
        }
        return count
    }

    /// Deletes `name` and everything below it, children first, reporting each removed node.
    private mutating func removeTree(_ name: String, root: String, _ tx: UInt32?) {
        guard let node = lookup(name, tx) else { return }
        for child in node.children { removeTree(XenStoreTree.child(child, of: name), root: root, tx) }
        store(name, nil, tx)
        fire(Change(path: name, exact: name != root, permissions: [node.permissions]), tx)
    }

    // MARK: Watches

    private mutating func fire(_ change: Change, _ tx: UInt32?) {
        if let tx, transactions[tx] != nil {
            transactions[tx]?.changes.append(change)
        } else {
            deliver(change)
        }
    }

    private mutating func deliver(_ change: Change) {
        for watch in watches {
            let matches = change.exact || change.path.hasPrefix("@")
                ? watch.absolute == change.path
                : XenStorePath.isAtOrBelow(change.path, watch.absolute)
            guard matches else { continue }
            let caller = XenStoreCaller(connection: watch.connection, domain: watch.domain)
            guard caller.isPrivileged || change.permissions.contains(where: { Self.granted($0, to: caller) & Self.readBit != 0 })
            else { continue }
            let path = XenStorePath.reported(change.path, relative: watch.relative, caller: watch.domain)
            queues[watch.connection, default: []].append(XenStoreWatchEvent(path: path, token: watch.token))
        }
    }
}
