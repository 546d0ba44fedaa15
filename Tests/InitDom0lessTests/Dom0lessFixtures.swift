// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import TestSupport
import Toolstack
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// Host trees with dom0less domains, and helpers to run init-dom0less on a simulated host.
enum Dom0lessFixtures {
    /// One `/chosen` domain: name, memory KiB, vCPUs, `xen,enhanced` value (nil: absent), direct-mapped.
    struct Domain {
        var name: String
        var memoryKiB: UInt64 = 0x20000
        var vcpus: UInt32 = 1
        var enhanced: String? = "enabled"
        var directMap = false
    }

    /// The three domains: no `xen,enhanced`, 2 vCPUs, direct-mapped.
    static let three = [
        Domain(name: "plain", enhanced: nil),
        Domain(name: "web", memoryKiB: 0x40000, vcpus: 2),
        Domain(name: "rt", memoryKiB: 0x10000, directMap: true),
    ]

    /// Two enhanced domains the 4.19 allocation path works for, and one without xen,enhanced.
    static let twoEnhanced = [
        Domain(name: "web", memoryKiB: 0x40000, vcpus: 2),
        Domain(name: "plain", enhanced: nil),
        Domain(name: "db", vcpus: 1),
    ]

    static func tree(_ domains: [Domain]) throws -> DeviceTree {
        var tree = try DefaultHostTree.make()
        var staticBase: UInt32 = 0x5000_0000
        // libfdt adds a node before its siblings: add them last first to keep the given order.
        for domain in domains.reversed() {
            let path = "/chosen/" + domain.name
            try tree.addNode(path)
            try tree.setProperty("compatible", .deviceTreeStrings(["xen,domain"]), at: path)
            try tree.setProperty("memory", .deviceTreeCells([UInt32(domain.memoryKiB >> 32), UInt32(domain.memoryKiB & 0xFFFF_FFFF)]), at: path)
            try tree.setProperty("cpus", .deviceTreeCells([domain.vcpus]), at: path)
            if let enhanced = domain.enhanced {
                try tree.setProperty("xen,enhanced", enhanced.isEmpty ? [] : .deviceTreeStrings([enhanced]), at: path)
            }
            if domain.directMap {
                try tree.setProperty("direct-map", [], at: path)
                try tree.setProperty("#xen,static-mem-address-cells", .deviceTreeCells([1]), at: path)
                try tree.setProperty("#xen,static-mem-size-cells", .deviceTreeCells([1]), at: path)
                try tree.setProperty("xen,static-mem", .deviceTreeCells([staticBase, UInt32(domain.memoryKiB * 1024)]), at: path)
                staticBase += 0x1000_0000
            }
        }
        return tree
    }

    /// A fresh simulated host directory.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dom0less-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Fixed time and uuids: domain handles are 0x11.., 0x22.., one byte value per new handle.
    static func environment() -> Dom0lessEnvironment {
        let counter = Counter()
        return Dom0lessEnvironment(clock: { (1_700_000_000, 5) }, newHandle: { Array(repeating: counter.next(), count: 16) })
    }

    final class Counter: @unchecked Sendable {
        private var value: UInt8 = 0
        private let lock = NSLock()
        func next() -> UInt8 { lock.withLock { value += 0x11; return value } }
    }

    /// Runs init-dom0less against an open host.
    static func run(_ host: SimulatedHost, _ environment: Dom0lessEnvironment = environment()) throws -> (results: [Dom0lessResult], lines: [String]) {
        var lines: [String] = []
        let toolstack = Toolstack(hypervisor: host.hypervisor, xenstore: host.xenstore, bootTree: try host.bootTree(),
                                  output: { lines.append($0) }, log: { lines.append("error: " + $0) })
        let results = try toolstack.initDom0less(control: host.hypervisor, environment: environment)
        return (results, lines)
    }

    /// The xenstore state of one domain: its home, its /vm entry, its /libxl record, and whether introduced.
    static func snapshot(_ store: any XenStore, _ domain: DomainID) throws -> [String] {
        var lines = try XenStoreDump.lines(store, "/local/domain/\(domain)") + XenStoreDump.lines(store, "/libxl/\(domain)")
        if let vm = try store.readString("/local/domain/\(domain)/vm") { lines += try XenStoreDump.lines(store, vm) }
        lines.append("introduced: \(try store.isIntroduced(domain))")
        return lines.sorted()
    }
}
