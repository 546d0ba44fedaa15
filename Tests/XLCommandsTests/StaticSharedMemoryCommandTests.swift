// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// `static_shm` through `xl create` and `xl destroy` on a simulated host running the Xilinx fork.
final class StaticSharedMemoryCommandTests: XCTestCase {
    private typealias Fixtures = StaticSharedMemoryFixtures

    /// Every leaf under `path` with its value.
    private func tree(_ xl: XLRunner, _ path: String) throws -> [String: String] {
        try xl.withHost { host in
            var values: [String: String] = [:]
            func walk(_ node: String) throws {
                let children = try host.xenstore.children(node)
                if children.isEmpty { values[node] = try host.xenstore.readString(node) ?? "" }
                for child in children { try walk(node + "/" + child) }
            }
            if try host.xenstore.exists(path) { try walk(path) }
            return values
        }
    }

    /// What `xl` printed on stderr, with the scratch directory taken out of file names.
    private func errors(_ xl: XLRunner, _ result: XLRunner.Result) -> String {
        result.stderr.replacingOccurrences(of: xl.scratch.path + "/", with: "")
    }

    private func fdtget(_ blob: [UInt8], _ node: String, _ property: String, type: String = "x") throws -> String {
        try DeviceTreeTools.get(blob, ["-t", type, node, property])
    }

    /// Creates vm1, vm2 and vm3 of the ARM version; returns their domain ids.
    private func createARMTopology(_ xl: XLRunner, kernel: String) throws -> [String: DomainID] {
        var ids: [String: DomainID] = [:]
        for name in ["vm1", "vm2", "vm3"] {
            let path = try xl.staticSharedMemoryConfig(name, kernel: kernel, specs: Fixtures.arm[name] ?? [])
            let result = xl("create", path)
            XCTAssertEqual(result.status, 0, result.stderr)
            ids[name] = try xl.withHost { host in host.hypervisor.state.domains.last.map(\.id) }
        }
        return ids
    }

    func testSeedExampleTakenLiterallyFailsWithThreeClearMessages() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let before = try xl.traces()
        let vm1 = Fixtures.literal["vm1"] ?? []
        var result = xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: vm1))
        XCTAssertEqual(errors(xl, result), "vm1.cfg:4:16: static_shm[0] id=ID1: cache_policy: x86_normal is for x86 guests; "
            + "ARM guests take ARM_normal (the default)\n")

        let withoutX86 = vm1.map { $0.replacingOccurrences(of: " cache_policy=x86_normal,", with: "") }
        result = xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: withoutX86))
        XCTAssertEqual(errors(xl, result), "vm1.cfg:4:16: static_shm[0] id=ID1: begin: the owner's region 0x100000-0x1fffff is not inside "
            + "its RAM (0x40000000-0x4fffffff, memory = 256): an owner shares part of its own RAM, so place the region there or raise memory\n")
        XCTAssertEqual(try xl.traces(), before)

        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])).status, 0)
        let owned = try xl.traces()
        result = xl("create", try xl.staticSharedMemoryConfig("vm3", kernel: kernel, specs: Fixtures.literal["vm3"] ?? []))
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(errors(xl, result), "create vm3: step \"static_shm\" failed: vm3.cfg:4:16: static_shm[0] id=ID2: size: offset 0x10000 "
            + "+ size 0x110000 exceeds the owner's region ID2 of size 0x100000 (domain 1 (vm1))\n")
        XCTAssertEqual(try xl.traces(), owned)
    }

    func testARMTopologyRunsSharesMemoryAndLeavesNothingAfterDestroy() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let ids = try createARMTopology(xl, kernel: kernel)
        let (vm1, vm2, vm3) = (try XCTUnwrap(ids["vm1"]), try XCTUnwrap(ids["vm2"]), try XCTUnwrap(ids["vm3"]))

        XCTAssertEqual(try tree(xl, "/libxl/static_shm"), [
            "/libxl/static_shm/ID1/owner": "\(vm1)", "/libxl/static_shm/ID1/begin": "0x48100000", "/libxl/static_shm/ID1/size": "0x100000",
            "/libxl/static_shm/ID1/prot": "rw", "/libxl/static_shm/ID1/cache_policy": "ARM_normal", "/libxl/static_shm/ID1/usercnt": "2",
            "/libxl/static_shm/ID1/borrowers/\(vm2)/begin": "0x60500000", "/libxl/static_shm/ID1/borrowers/\(vm2)/size": "0x100000",
            "/libxl/static_shm/ID1/borrowers/\(vm2)/offset": "0x0", "/libxl/static_shm/ID1/borrowers/\(vm2)/prot": "rw",
            "/libxl/static_shm/ID2/owner": "\(vm1)", "/libxl/static_shm/ID2/begin": "0x48300000", "/libxl/static_shm/ID2/size": "0x100000",
            "/libxl/static_shm/ID2/prot": "rw", "/libxl/static_shm/ID2/cache_policy": "ARM_normal", "/libxl/static_shm/ID2/usercnt": "2",
            "/libxl/static_shm/ID2/borrowers/\(vm3)/begin": "0x60690000", "/libxl/static_shm/ID2/borrowers/\(vm3)/size": "0xf0000",
            "/libxl/static_shm/ID2/borrowers/\(vm3)/offset": "0x10000", "/libxl/static_shm/ID2/borrowers/\(vm3)/prot": "rw",
        ])
        XCTAssertEqual(try tree(xl, "/local/domain/\(vm1)/static_shm"), [
            "/local/domain/\(vm1)/static_shm/ID1/role": "owner", "/local/domain/\(vm1)/static_shm/ID2/role": "owner",
        ])
        XCTAssertEqual(try tree(xl, "/local/domain/\(vm2)/static_shm"), ["/local/domain/\(vm2)/static_shm/ID1/role": "borrower"])
        XCTAssertEqual(try tree(xl, "/local/domain/\(vm3)/static_shm"), ["/local/domain/\(vm3)/static_shm/ID2/role": "borrower"])
        let permissions = try xl.withHost { host in
            try ["/libxl/static_shm", "/libxl/static_shm/ID1", "/libxl/static_shm/ID2/usercnt", "/libxl/static_shm/ID1/borrowers/\(vm2)/begin"]
                .map { try host.xenstore.permissions($0, in: nil) }
        }
        XCTAssertEqual(permissions, [[XenStorePermission]](repeating: [XenStorePermission(.none, .dom0)], count: 4), "dom0 only")

        // The guest device trees, read back with fdtget.
        let trees = try xl.withHost { host in
            Dictionary(uniqueKeysWithValues: host.hypervisor.state.domains.compactMap { domain in domain.guest?.deviceTree.map { (domain.id, $0) } })
        }
        let owner = try XCTUnwrap(trees[vm1])
        XCTAssertEqual(try DeviceTreeTools.get(owner, ["-l", "/reserved-memory"]), "xen-shmem@48100000\nxen-shmem@48300000")
        XCTAssertEqual(try fdtget(owner, "/reserved-memory", "#address-cells"), "2")
        XCTAssertEqual(try DeviceTreeTools.get(owner, ["-p", "/reserved-memory"]), "#address-cells\n#size-cells\nranges")
        XCTAssertEqual(try DeviceTreeTools.get(owner, ["-p", "/reserved-memory/xen-shmem@48300000"]), "compatible\nreg\nxen,id",
                       "owners have no xen,offset")
        XCTAssertEqual(try fdtget(owner, "/reserved-memory/xen-shmem@48300000", "reg"), "0 48300000 0 100000")
        XCTAssertEqual(try fdtget(owner, "/reserved-memory/xen-shmem@48300000", "xen,id", type: "s"), "ID2")
        XCTAssertEqual(try fdtget(owner, "/reserved-memory/xen-shmem@48100000", "compatible", type: "s"), "xen,shared-memory-v1")
        let second = try XCTUnwrap(trees[vm2])
        XCTAssertEqual(try fdtget(second, "/reserved-memory/xen-shmem@60500000", "reg"), "0 60500000 0 100000")
        XCTAssertEqual(try fdtget(second, "/reserved-memory/xen-shmem@60500000", "xen,offset"), "0 0")
        let third = try XCTUnwrap(trees[vm3])
        XCTAssertEqual(try fdtget(third, "/reserved-memory/xen-shmem@60690000", "reg"), "0 60690000 0 f0000",
                       "reg is where the pages are mapped (the fork put begin + offset here)")
        XCTAssertEqual(try fdtget(third, "/reserved-memory/xen-shmem@60690000", "xen,offset"), "0 10000")
        XCTAssertEqual(try fdtget(third, "/reserved-memory/xen-shmem@60690000", "xen,id", type: "s"), "ID2")

        // The memory is shared: what vm1 writes at offset 0x10000 of ID2, vm3 reads at the start of its mapping.
        let seen = try xl.withHost { host in
            try host.hypervisor.writeGuestMemory(vm1, at: 0x4831_0000, Array("from vm1".utf8))
            try host.hypervisor.writeGuestMemory(vm2, at: 0x605F_F000, Array("from vm2".utf8))
            return (try host.hypervisor.readGuestMemory(vm3, at: 0x6069_0000, count: 8), try host.hypervisor.readGuestMemory(vm1, at: 0x481F_F000, count: 8))
        }
        XCTAssertEqual(seen.0, Array("from vm1".utf8))
        XCTAssertEqual(seen.1, Array("from vm2".utf8))

        XCTAssertEqual(xl("destroy", "vm1").stderr, "destroy vm1: region ID1 is still mapped by domain \(vm2) (vm2) at 0x60500000-0x605fffff; "
            + "destroy them first, or use xl destroy -f to destroy the owner anyway\n")
        XCTAssertEqual(xl("destroy", "vm2").status, 0)
        XCTAssertEqual(try tree(xl, "/libxl/static_shm/ID1"), [
            "/libxl/static_shm/ID1/owner": "\(vm1)", "/libxl/static_shm/ID1/begin": "0x48100000", "/libxl/static_shm/ID1/size": "0x100000",
            "/libxl/static_shm/ID1/prot": "rw", "/libxl/static_shm/ID1/cache_policy": "ARM_normal", "/libxl/static_shm/ID1/usercnt": "1",
        ])
        XCTAssertEqual(xl("destroy", "vm3").status, 0)
        XCTAssertEqual(try tree(xl, "/libxl/static_shm/ID2/usercnt"), ["/libxl/static_shm/ID2/usercnt": "1"])
        let last = xl("destroy", "vm1")
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(last.stdout, "")

        let after = try xl.withHost { host in
            (host.hypervisor.state, try host.xenstore.children("/local/domain"), try host.xenstore.children("/libxl"), try host.xenstore.children("/vm"))
        }
        XCTAssertEqual(after.0.domains.map(\.id), [.dom0])
        XCTAssertEqual(after.0.memory.pages.count, 0, "no page leaks")
        XCTAssertEqual(after.1, ["0"])
        XCTAssertEqual(after.2, [], "no /libxl/static_shm and no /libxl/N")
        XCTAssertEqual(after.3, [])
    }

    func testABorrowerBeforeItsOwnerFailsNamingTheOwnerAndLeavesNothing() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let before = try xl.traces()
        let result = xl("create", try xl.staticSharedMemoryConfig("vm2", kernel: kernel, specs: Fixtures.literal["vm2"] ?? []))
        XCTAssertEqual(errors(xl, result), "create vm2: step \"static_shm\" failed: vm2.cfg:4:16: static_shm[0] id=ID1: id: region ID1 has no owner: "
            + "create the domain whose static_shm says id=ID1, role=owner first\n")
        XCTAssertEqual(try xl.traces(), before)
    }

    func testForcedOwnerDestroySaysWhatStaysMappedAndTheLastBorrowerFreesIt() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let ids = try createARMTopology(xl, kernel: kernel)
        let (vm1, vm2, vm3) = (try XCTUnwrap(ids["vm1"]), try XCTUnwrap(ids["vm2"]), try XCTUnwrap(ids["vm3"]))
        try xl.withHost { try $0.hypervisor.writeGuestMemory(vm1, at: 0x4810_0000, [7]) }

        let dry = xl("-N", "-f", "destroy", "vm1")
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("dry run: would destroy the owner of region ID2 while it is mapped in domain \(vm3) (vm3) at 0x60690000-0x6077ffff\n"), dry.stdout)
        let forced = xl("destroy", "-f", "vm1")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(forced.stdout, """
            destroy vm1: region ID1 stays mapped in domain \(vm2) (vm2) at 0x60500000-0x605fffff; its pages are freed when they are destroyed
            destroy vm1: region ID2 stays mapped in domain \(vm3) (vm3) at 0x60690000-0x6077ffff; its pages are freed when they are destroyed

            """)
        XCTAssertEqual(try tree(xl, "/libxl/static_shm/ID1/usercnt"), ["/libxl/static_shm/ID1/usercnt": "1"])
        XCTAssertEqual(try xl.withHost { try $0.hypervisor.readGuestMemory(vm2, at: 0x6050_0000, count: 1) }, [7], "the pages outlive their owner")

        // No new owner while the old pages are still mapped, and no new borrower of a dead owner.
        var result = xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? []))
        XCTAssertTrue(result.stderr.hasSuffix("static_shm[0] id=ID1: id: region ID1 is still mapped by domain \(vm2) (vm2) after its owner, "
            + "domain \(vm1), was destroyed; destroy them before creating a new owner\n"), result.stderr)
        result = xl("create", try xl.staticSharedMemoryConfig("vm4", kernel: kernel, specs: Fixtures.arm["vm2"] ?? []))
        XCTAssertTrue(result.stderr.hasSuffix("static_shm[0] id=ID1: id: the owner of region ID1, domain \(vm1), is no longer running; "
            + "create its owner again once the remaining borrowers are gone\n"), result.stderr)

        XCTAssertEqual(xl("destroy", "vm2").status, 0)
        XCTAssertEqual(xl("destroy", "vm3").status, 0)
        let after = try xl.withHost { host in (host.hypervisor.state.memory.pages.count, try host.xenstore.children("/libxl")) }
        XCTAssertEqual(after.0, 0)
        XCTAssertEqual(after.1, [])
        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])).status, 0,
                       "with every borrower gone the id is free again")
    }

    func testUpstreamXenSaysItLacksRunTimeSharedMemoryAndLeavesNothing() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost(flavour: "upstream")
        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])).status, 0,
                       "an owner needs no hypercall")
        let before = try xl.traces()
        let result = xl("create", try xl.staticSharedMemoryConfig("vm2", kernel: kernel, specs: Fixtures.arm["vm2"] ?? []))
        XCTAssertEqual(errors(xl, result), "create vm2: step \"static_shm\" failed: vm2.cfg:4:16: static_shm[0] id=ID1: Xen refused "
            + "XENMEM_add_to_physmap_batch with XENMAPSPACE_gmfn_share (ENOSYS (Function not implemented)): this Xen lacks run-time static "
            + "shared memory, which only the Xilinx/AMD fork has; with upstream Xen, declare the region at boot with "
            + "xen,domain-shared-memory-v1 nodes (see Docs/static_shm.md)\n")
        XCTAssertEqual(try xl.traces(), before)
        let long = ["id=A_LONGER_REGION_ID, begin=0x60500000, size=0x1000"]
        let longOwner = try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: ["id=A_LONGER_REGION_ID, begin=0x48000000, size=0x1000, role=owner"],
                                                         file: "owner-long.cfg")
        XCTAssertEqual(xl("create", longOwner, "name=\"long\"").status, 0)
        XCTAssertTrue(errors(xl, xl("create", try xl.staticSharedMemoryConfig("vm2", kernel: kernel, specs: long))).hasSuffix(
            "with xen,domain-shared-memory-v1 nodes, whose xen,shm-id must be shorter than 16 characters (see Docs/static_shm.md)\n"))
        XCTAssertEqual(xl.run(["--xen-flavour", "xilinx", "list"]).stderr,
                       "the simulated host in \(xl.directory) runs upstream Xen; --xen-flavour xilinx applies only to a new host\n")
        XCTAssertEqual(xl.run(["--xen-flavour", "fork", "list"]).stderr, "--xen-flavour fork: expected upstream or xilinx\n")
    }

    func testFailuresAfterMappingUndoMappingsAndRecords() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let owner = try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])
        XCTAssertEqual(xl("create", owner).status, 0)
        let both = (Fixtures.arm["vm2"] ?? []) + ["id=ID2, begin=0x60700000, size=0x100000"]
        let config = try xl.staticSharedMemoryConfig("vm5", kernel: kernel, specs: both)
        let before = try xl.traces()

        // The first mapping fails: nothing is mapped or recorded.
        try xl.withHost { host in
            host.hypervisor.state.injectedFailures["XENMEM_add_to_physmap_batch"] = .ENOMEM
        }
        var result = xl("create", config)
        XCTAssertEqual(errors(xl, result), "create vm5: step \"static_shm\" failed: vm5.cfg:4:16: static_shm[0] id=ID1: cannot map the owner's "
            + "page at 0x60500000: XENMEM_add_to_physmap_batch returned ENOMEM (Cannot allocate memory)\n")
        XCTAssertEqual(try xl.traces(), before)

        // The second region's pages fail after the first region is mapped (its owner record now points outside the
        // owner's RAM): the first region is unmapped again and nothing is recorded.
        try xl.withHost { try $0.xenstore.write("/libxl/static_shm/ID2/begin", string: "0x58000000") }
        let moved = try xl.traces()
        result = xl("create", config)
        XCTAssertEqual(errors(xl, result), "create vm5: step \"static_shm\" failed: vm5.cfg:5:5: static_shm[1] id=ID2: cannot map the owner's "
            + "page at 0x60700000: XENMEM_add_to_physmap_batch returned EINVAL (Invalid argument)\n")
        XCTAssertEqual(try xl.traces(), moved)
        try xl.withHost { try $0.xenstore.write("/libxl/static_shm/ID2/begin", string: "0x48300000") }

        // A step after static_shm fails: the domain goes, and its records with it.
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_DOMCTL_unpausedomain"] = .EIO }
        result = xl("create", config)
        XCTAssertEqual(errors(xl, result), "create vm5: step \"unpause\" failed: XEN_DOMCTL_unpausedomain returned EIO (Input/output error)\n")
        XCTAssertEqual(try xl.traces(), before)
        XCTAssertEqual(xl("create", config).status, 0)
        XCTAssertEqual(try tree(xl, "/libxl/static_shm/ID2/usercnt"), ["/libxl/static_shm/ID2/usercnt": "2"])
    }

    func testAnOwnerGrantingLessThanTheBorrowerAsksIsRefused() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])).status, 0)
        try xl.withHost { try $0.xenstore.write("/libxl/static_shm/ID1/prot", string: "r") }
        let before = try xl.traces()
        let result = xl("create", try xl.staticSharedMemoryConfig("vm2", kernel: kernel, specs: Fixtures.arm["vm2"] ?? []))
        XCTAssertTrue(result.stderr.hasSuffix("static_shm[0] id=ID1: prot: asks for rw but the owner (domain 1 (vm1)) grants only \"r\"\n"), result.stderr)
        XCTAssertEqual(try xl.traces(), before)
    }

    func testDryRunChecksTheRecordsAndPrintsTheReservedMemoryNodes() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let config = try xl.staticSharedMemoryConfig("vm3", kernel: kernel, specs: Fixtures.arm["vm3"] ?? [])
        XCTAssertTrue(xl("-N", "create", config).stderr.hasSuffix("static_shm[0] id=ID2: id: region ID2 has no owner: create the domain "
            + "whose static_shm says id=ID2, role=owner first\n"))
        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: Fixtures.arm["vm1"] ?? [])).status, 0)
        let before = xl.snapshot()
        let result = xl("-v", "-N", "create", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\"sshms\""), result.stdout)
        XCTAssertTrue(result.stderr.contains("xen-shmem@60690000 {"), result.stderr)
        XCTAssertTrue(result.stderr.contains("xen,offset = <0x00 0x10000>;"), result.stderr)
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testDamagedRecordsDoNotKeepADomainAliveWithForce() throws {
        let xl = try XLRunner()
        let kernel = try xl.staticSharedMemoryHost()
        let ids = try createARMTopology(xl, kernel: kernel)
        let vm2 = try XCTUnwrap(ids["vm2"])
        try xl.withHost { try $0.xenstore.write("/libxl/static_shm/ID1/borrowers/\(vm2)/size", string: "0xfffffffffffff000") }
        var result = xl("destroy", "vm2")
        XCTAssertEqual(result.stderr, "destroy vm2: cannot read its static_shm records: static_shm record /libxl/static_shm/ID1/borrowers/\(vm2)/size "
            + "holds \"0xfffffffffffff000\", not a page-aligned size that keeps the region from 0x60500000 below 2^52: the record is damaged; "
            + "use xl destroy -f to destroy it and leave them\n")
        try xl.withHost { host in
            try host.xenstore.write("/libxl/static_shm/ID1/borrowers/\(vm2)/size", string: "0x100000")
            try host.xenstore.write("/libxl/static_shm/ID1/usercnt", string: "many")
        }
        result = xl("destroy", "vm2")
        XCTAssertEqual(result.stderr, "destroy vm2: cannot read its static_shm records: static_shm record /libxl/static_shm/ID1/usercnt holds "
            + "\"many\", not a decimal count: the record is damaged; use xl destroy -f to destroy it and leave them\n")
        result = xl("-f", "destroy", "vm2")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("destroy vm2: its static_shm records are left as they are"), result.stdout)
        XCTAssertFalse(try xl.withHost { host in host.hypervisor.state.domains.contains { $0.id == vm2 } })
    }
}
