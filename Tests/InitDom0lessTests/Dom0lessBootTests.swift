// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XCTest
import XenControl
import XenSimulator
import XenTypes

final class Dom0lessBootTests: XCTestCase {
    private func boot(_ version: XenVersion, _ domains: [Dom0lessFixtures.Domain] = Dom0lessFixtures.three) throws -> SimulatedHostState {
        try SimulatedHostState(version: version, hostTree: try Dom0lessFixtures.tree(domains)).bootingDom0less()
    }

    func testThreeDomainsBootWithIDsInTreeOrderOn419() throws {
        let state = try boot(.v4_19)
        XCTAssertEqual(state.domains.map(\.id), [0, 1, 2, 3])
        XCTAssertEqual(state.domains.map(\.vcpus), [4, 1, 2, 1])
        XCTAssertEqual(state.domains.map(\.directMapped), [true, false, false, true])
        let dom0less = try XCTUnwrap(state.dom0less)
        XCTAssertEqual(dom0less.domains.map(\.node), ["plain", "web", "rt"])
        XCTAssertEqual(dom0less.domains.map(\.storeEventChannel), [0, 1, 1])
        XCTAssertEqual(dom0less.domains.map(\.storePFN), [0, ~0, ~0])
        XCTAssertEqual(dom0less.domains.map { $0.extraPages.count }, [0, 0, 0])
    }

    func testXen421AllocatesThePageItselfAndLegacyLeavesItToTheToolstack() throws {
        let state = try boot(.v4_21, Dom0lessFixtures.three + [.init(name: "old", enhanced: "legacy")])
        let dom0less = try XCTUnwrap(state.dom0less)
        XCTAssertEqual(dom0less.domains.map(\.storePFN), [0, 0x39001, 0x7F003, ~0])
        XCTAssertEqual(dom0less.domains[1].extraPages, [0x39001: Dom0lessXenstore.reconnect])
        XCTAssertEqual(dom0less.domains[1].xenstoreGrant, .init(gfn: 0x39001, domain: .dom0))
        XCTAssertEqual(dom0less.domains[3].storeEventChannel, 1)
        XCTAssertNil(dom0less.domains[3].xenstoreGrant)
    }

    func testLegacyIsUnknownBefore421() throws {
        let state = try boot(.v4_20, [.init(name: "old", enhanced: "legacy")])
        XCTAssertEqual(state.dom0less?.domains.first?.storeEventChannel, 0)
    }

    func testInvalidTreesFailWithXensMessages() throws {
        func message(_ edit: (inout DeviceTree) throws -> Void) throws -> String {
            var tree = try Dom0lessFixtures.tree([.init(name: "bad")])
            try edit(&tree)
            do {
                _ = try SimulatedHostState(version: .v4_19, hostTree: tree).bootingDom0less()
                return "booted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(try message { try $0.removeProperty("cpus", at: "/chosen/bad") },
                       "Xen cannot boot this host tree: Missing property 'cpus' for domain bad")
        XCTAssertEqual(try message { try $0.removeProperty("memory", at: "/chosen/bad") },
                       "Xen cannot boot this host tree: Could not set up domain bad: Error building DomU: cannot read \"memory\" property")
        XCTAssertEqual(try message { try $0.setProperty("direct-map", [], at: "/chosen/bad") },
                       "Xen cannot boot this host tree: direct-map is not valid for domain bad without static allocation.")
        XCTAssertEqual(try message {
            try $0.addNode("/chosen/bad/passthrough")
            try $0.addNode("/chosen/bad/passthrough/uart")
            try $0.setProperty("xen,path", .deviceTreeStrings(["/nowhere"]), at: "/chosen/bad/passthrough/uart")
        }, "Xen cannot boot this host tree: Couldn't find node /nowhere in host_dt!")
        XCTAssertEqual(try message {
            try $0.setProperty("#address-cells", .deviceTreeCells([1]), at: "/chosen/bad")
            try $0.setProperty("#size-cells", .deviceTreeCells([1]), at: "/chosen/bad")
            try $0.addNode("/chosen/bad/shm@0")
            try $0.setProperty("compatible", .deviceTreeStrings(["xen,domain-shared-memory-v1"]), at: "/chosen/bad/shm@0")
            try $0.setProperty("xen,shm-id", .deviceTreeStrings(["a-very-long-shm-identifier"]), at: "/chosen/bad/shm@0")
            try $0.setProperty("xen,shared-mem", .deviceTreeCells([0x1000_0000, 0x1000]), at: "/chosen/bad/shm@0")
        }, "Xen cannot boot this host tree: fdt: invalid xen,shm-id a-very-long-shm-identifier, it must be limited to 16 characters")
    }

    func testHostileSizesAreRefusedNotTrapped() throws {
        func outcome(_ edit: (inout DeviceTree) throws -> Void) throws -> String {
            var tree = try Dom0lessFixtures.tree([.init(name: "big", enhanced: nil)])
            try edit(&tree)
            do {
                _ = try SimulatedHostState(version: .v4_19, hostTree: tree).bootingDom0less()
                return "booted"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(try outcome {
            try $0.setProperty("#xen,static-mem-address-cells", .deviceTreeCells([0xffff_ffff]), at: "/chosen/big")
            try $0.setProperty("#xen,static-mem-size-cells", .deviceTreeCells([1]), at: "/chosen/big")
            try $0.setProperty("xen,static-mem", .deviceTreeCells([0x5000_0000, 0x100_0000]), at: "/chosen/big")
        }.contains("invalid xen,static-mem property"))
        XCTAssertTrue(try outcome {
            try $0.setProperty("memory", .deviceTreeCells([0x0100_0000, 0]), at: "/chosen/big")
            try $0.setProperty("#xen,static-mem-address-cells", .deviceTreeCells([1]), at: "/chosen/big")
            try $0.setProperty("#xen,static-mem-size-cells", .deviceTreeCells([1]), at: "/chosen/big")
            try $0.setProperty("xen,static-mem", .deviceTreeCells([0x5000_0000, 0x100_0000]), at: "/chosen/big")
        }.contains("Static memory size not equal"))
        XCTAssertEqual(try outcome {
            try $0.addNode("/chosen/big/passthrough")
            try $0.addNode("/chosen/big/passthrough/rtc")
            try $0.setProperty("xen,path", .deviceTreeStrings(["/pl031@9010000"]), at: "/chosen/big/passthrough/rtc")
            try $0.setProperty("xen,reg", .deviceTreeCells([0, 0x901_0000, 0xffff_ffff, 0xffff_f000, 0, 0x2200_0000]), at: "/chosen/big/passthrough/rtc")
        }, "Xen cannot boot this host tree: xen,reg region of /pl031@9010000 for big is too large")
    }

    func testPassthroughMapsRegionsAndRoutesIRQs() throws {
        var tree = try Dom0lessFixtures.tree([.init(name: "io", enhanced: nil)])
        try tree.addNode("/chosen/io/passthrough")
        try tree.addNode("/chosen/io/passthrough/rtc")
        try tree.setProperty("xen,path", .deviceTreeStrings(["/pl031@9010000"]), at: "/chosen/io/passthrough/rtc")
        try tree.setProperty("xen,reg", .deviceTreeCells([0, 0x901_0000, 0, 0x1000, 0, 0x2200_0000]), at: "/chosen/io/passthrough/rtc")
        let state = try SimulatedHostState(version: .v4_19, hostTree: tree).bootingDom0less()
        XCTAssertEqual(state.domains[1].mmioMappings, [0x22000: 0x9010])
        XCTAssertEqual(state.domains[1].routedIRQs, [34])
        XCTAssertEqual(state.deviceOwners["/pl031@9010000"], 1)
    }
}
