// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// One domain Xen builds at boot from a `/chosen` node with `compatible = "xen,domain"`, checked as Xen
/// checks it; errors carry Xen's message and the node name.
public struct Dom0lessDomainNode: Hashable, Sendable {
    /// The node's full path (`/chosen/domU1`).
    public var path: String
    /// The node name (`domU1`), which Xen uses in its messages.
    public var name: String
    public var memoryKiB: UInt64
    public var vcpus: UInt32
    public var directMap: Bool
    /// `vpl011`: Xen emulates an SBSA UART for the domain and is its back end itself (`domain_vpl011_init`
    /// without a back-end domain), so its output and input go through Xen's own console.
    public var vpl011: Bool
    public var enhanced: Dom0lessEnhanced
    /// `xen,static-mem` banks (host address, size).
    public var staticMemory: [MMIORange]
    /// Devices given to the domain: host node and its `xen,reg` mappings.
    public var passthrough: [Dom0lessPassthrough]
    /// `xen,domain-shared-memory-v1` children.
    public var sharedMemory: [Dom0lessSharedMemory]

    /// The domains under `/chosen`, in tree order, as `version` of Xen reads them.
    public static func all(in tree: DeviceTree, version: XenVersion) throws(DeviceTreeError) -> [Dom0lessDomainNode] {
        guard tree.hasNode("/chosen") else { return [] }
        var result: [Dom0lessDomainNode] = []
        for child in try tree.children(of: "/chosen") {
            let path = DeviceTree.join("/chosen", child)
            guard tree.property("compatible", of: path)?.deviceTreeStrings?.contains("xen,domain") == true else { continue }
            result.append(try Dom0lessDomainNode(tree, path: path, version: version))
        }
        try Dom0lessSharedMemory.checkConsistent(result.flatMap(\.sharedMemory))
        return result
    }

    private init(_ tree: DeviceTree, path: String, version: XenVersion) throws(DeviceTreeError) {
        self.path = path
        name = DeviceTree.split(path).name
        guard let cpus = tree.property("cpus", of: path)?.deviceTreeCells, cpus.count == 1 else {
            throw DeviceTreeError("Missing property 'cpus' for domain \(name)")
        }
        guard (1...128).contains(cpus[0]) else { throw DeviceTreeError("Error creating domain \(name) (rc = -22): cpus = \(cpus[0]) is not 1 to 128") }
        vcpus = cpus[0]
        guard let memory = tree.property("memory", of: path)?.deviceTreeCells, memory.count == 2 else {
            throw DeviceTreeError("Could not set up domain \(name): Error building DomU: cannot read \"memory\" property")
        }
        memoryKiB = UInt64(memory[0]) << 32 | UInt64(memory[1])
        guard memoryKiB > 0, memoryKiB % 4 == 0 else {
            throw DeviceTreeError("Could not set up domain \(name): \"memory\" = \(memoryKiB) KiB is not a positive number of 4 KiB pages")
        }
        enhanced = Dom0lessEnhanced(tree.property("xen,enhanced", of: path), version: version)
        staticMemory = try Self.staticMemory(tree, path: path, name: name, memoryKiB: memoryKiB)
        directMap = tree.property("direct-map", of: path) != nil
        vpl011 = tree.property("vpl011", of: path) != nil
        if directMap, staticMemory.isEmpty {
            throw DeviceTreeError("direct-map is not valid for domain \(name) without static allocation.")
        }
        var passthrough: [Dom0lessPassthrough] = []
        var shared: [Dom0lessSharedMemory] = []
        for child in try tree.children(of: path) {
            let childPath = DeviceTree.join(path, child)
            if tree.property("compatible", of: childPath)?.deviceTreeStrings?.contains("xen,domain-shared-memory-v1") == true {
                shared.append(try Dom0lessSharedMemory(tree, path: childPath, domain: path, version: version))
            } else if child == "passthrough" {
                for device in try tree.children(of: childPath) {
                    passthrough.append(try Dom0lessPassthrough(tree, path: DeviceTree.join(childPath, device)))
                }
            }
        }
        self.passthrough = passthrough
        sharedMemory = shared
    }

    private static func staticMemory(_ tree: DeviceTree, path: String, name: String, memoryKiB: UInt64) throws(DeviceTreeError) -> [MMIORange] {
        guard let raw = tree.property("xen,static-mem", of: path) else { return [] }
        let addressCells = tree.property("#xen,static-mem-address-cells", of: path)?.deviceTreeCells?.first ?? 0
        let sizeCells = tree.property("#xen,static-mem-size-cells", of: path)?.deviceTreeCells?.first ?? 0
        let entry = Int(addressCells) + Int(sizeCells)
        guard (1...2).contains(addressCells), (1...2).contains(sizeCells), let cells = raw.deviceTreeCells, !cells.isEmpty, cells.count % entry == 0 else {
            throw DeviceTreeError("\(name): invalid xen,static-mem property (check #xen,static-mem-address-cells and #xen,static-mem-size-cells)")
        }
        let banks = stride(from: 0, to: cells.count, by: entry).map { (i: Int) -> MMIORange in
            MMIORange(address: join(cells[i..<(i + Int(addressCells))]), size: join(cells[(i + Int(addressCells))..<(i + entry)]))
        }
        let total = banks.reduce(UInt64(0)) { $0 &+ $1.size }
        let (memoryBytes, overflow) = memoryKiB.multipliedReportingOverflow(by: 1024)
        guard !overflow, total == memoryBytes else {
            throw DeviceTreeError("\(name): Static memory size not equal to the memory size \(memoryKiB) KiB")
        }
        return banks
    }

    /// Big-endian cells as one number.
    static func join(_ cells: ArraySlice<UInt32>) -> UInt64 { cells.reduce(UInt64(0)) { $0 << 32 | UInt64($1) } }
}

/// What `xen,enhanced` asks for, as a given Xen release reads it.
public enum Dom0lessEnhanced: String, Hashable, Sendable, Codable {
    /// Absent, `"disabled"`, or a value this release does not know (no error for typos, as in Xen).
    case none
    /// Present and empty, or `"enabled"`: xenstore and grant table.
    case enabled
    /// `"legacy"` (4.21+): the toolstack allocates the xenstore page, as before 4.21.
    case legacy
    /// `"no-xenstore"`: grant table and the hypervisor node only.
    case noXenstore

    public init(_ value: [UInt8]?, version: XenVersion) {
        guard let value else { self = .none; return }
        switch value.isEmpty ? "" : value.deviceTreeString {
        case "", "enabled": self = .enabled
        case "legacy": self = version >= .v4_21 ? .legacy : .none
        case "no-xenstore": self = .noXenstore
        default: self = .none
        }
    }

    /// Whether the domain gets a xenstore connection.
    public var wantsXenstore: Bool { self == .enabled || self == .legacy }
}

/// A passthrough device of a dom0less domain: `xen,path` and the `xen,reg` mappings.
public struct Dom0lessPassthrough: Hashable, Sendable {
    public var hostPath: String
    /// `(host address, size, guest address)` triplets, two cells each.
    public var regions: [(host: UInt64, size: UInt64, guest: UInt64)]

    init(_ tree: DeviceTree, path: String) throws(DeviceTreeError) {
        guard let hostPath = tree.property("xen,path", of: path)?.deviceTreeString else {
            throw DeviceTreeError("\(path): xen,path is missing")
        }
        guard tree.hasNode(hostPath) else { throw DeviceTreeError("Couldn't find node \(hostPath) in host_dt!") }
        self.hostPath = hostPath
        let cells = tree.property("xen,reg", of: path)?.deviceTreeCells ?? []
        guard cells.count % 6 == 0 else { throw DeviceTreeError("\(path): xen,reg must be <host-address size guest-address> triplets of two cells each") }
        regions = stride(from: 0, to: cells.count, by: 6).map { i in
            (Dom0lessDomainNode.join(cells[i..<(i + 2)]), Dom0lessDomainNode.join(cells[(i + 2)..<(i + 4)]), Dom0lessDomainNode.join(cells[(i + 4)..<(i + 6)]))
        }
        for region in regions where region.host % 4096 != 0 || region.size % 4096 != 0 || region.guest % 4096 != 0 || region.size == 0 {
            throw DeviceTreeError("DomU passthrough config has not page aligned addresses/sizes (\(path))")
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.hostPath == b.hostPath && a.regions.map { [$0.host, $0.size, $0.guest] } == b.regions.map { [$0.host, $0.size, $0.guest] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hostPath)
        hasher.combine(regions.map { [$0.host, $0.size, $0.guest] })
    }
}
