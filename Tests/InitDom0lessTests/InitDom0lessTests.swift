// SPDX-License-Identifier: Apache-2.0
import TestSupport
import Toolstack
import XCTest
import XLCommands
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

final class InitDom0lessTests: XCTestCase {
    private func open(_ version: XenVersion, _ domains: [Dom0lessFixtures.Domain] = Dom0lessFixtures.three,
                      socket: String? = nil) throws -> SimulatedHost {
        try SimulatedHost.open(directory: try Dom0lessFixtures.directory(), hostDTB: try Dom0lessFixtures.tree(domains),
                               version: version, xenstoredSocket: socket)
    }

    func testOn419TheEnhancedDomainIsInitialisedAndTheDirectMappedOneIsRefusedBeforeAnyHypercall() throws {
        let host = try open(.v4_19)
        defer { host.close() }
        let (results, lines) = try Dom0lessFixtures.run(host)
        XCTAssertEqual(results.map(\.outcome), [.skipped, .initialised, .failed])
        XCTAssertEqual(lines[0], "domain 1 (plain): no xen,enhanced; skipped")
        XCTAssertEqual(lines[1], "domain 2 (web): initialised: allocated xenstore page at gfn 0x39001, event channel 1, 2 vCPUs, uuid 11111111-1111-4111-9111-111111111111")
        XCTAssertTrue(lines[2].hasPrefix("error: domain 3 (rt): direct-mapped: Xen 4.19 cannot give it a page"), lines[2])
        XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 2), ExpectedTree.web(ringRef: "233473"))
        XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 1), ["introduced: false"])
        XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 3), ["introduced: false"])
        let web = try XCTUnwrap(host.hypervisor.state.dom0less?.domains[1])
        XCTAssertEqual(web.extraPages, [0x39001: Dom0lessXenstore.reconnect])
        XCTAssertEqual(web.xenstoreGrant, .init(gfn: 0x39001, domain: .dom0))
        XCTAssertEqual(web.storePFN, 0x39001)
        XCTAssertEqual(web.maxMemoryKiB, 0x40000 + 4)
        XCTAssertEqual(host.hypervisor.state.domains[2].memoryKiB, 0x40000 + 4)
    }

    /// Xen gives a `"no-xenstore"` domain no xenstore event channel, as it gives a domain without `xen,enhanced`;
    /// the line says which of the two it is.
    func testANoXenstoreDomainIsSkippedForWhatItSays() throws {
        let host = try open(.v4_21, [.init(name: "quiet", enhanced: "no-xenstore"), .init(name: "plain", enhanced: nil)])
        defer { host.close() }
        let (results, lines) = try Dom0lessFixtures.run(host)
        XCTAssertEqual(results.map(\.outcome), [.skipped, .skipped])
        XCTAssertEqual(lines, ["domain 1 (quiet): xen,enhanced = \"no-xenstore\"; skipped", "domain 2 (plain): no xen,enhanced; skipped"])
    }

    func testOn421BothEnhancedDomainsUseXensPage() throws {
        let host = try open(.v4_21)
        defer { host.close() }
        let (results, _) = try Dom0lessFixtures.run(host)
        XCTAssertEqual(results.map(\.outcome), [.skipped, .initialised, .initialised])
        XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 2), ExpectedTree.web(ringRef: "233473"))
        XCTAssertEqual(try host.xenstore.readString("/local/domain/3/store/ring-ref"), "\(0x7F003)")
        XCTAssertEqual(try host.xenstore.readString("/local/domain/3/name"), "rt")
        XCTAssertNil(host.hypervisor.state.dom0less?.domains[1].extraPages[0x39002])
        XCTAssertEqual(host.hypervisor.state.dom0less?.domains[1].maxMemoryKiB, 0x40000)
    }

    /// Xen 4.21's `alloc_xenstore_params` tests both bits of `DOM0LESS_ENHANCED_LEGACY`, so a `"legacy"` domain is
    /// left with no event channel and `STORE_PFN` 0; upstream's tool then skips it as if it had no `xen,enhanced`.
    func testOn421ALegacyDomainXenLeftWithoutAChannelIsReportedNotSkipped() throws {
        let host = try open(.v4_21, [.init(name: "old", enhanced: "legacy"), .init(name: "web", vcpus: 2)])
        defer { host.close() }
        host.hypervisor.state.dom0less?.domains[0].storeEventChannel = 0
        host.hypervisor.state.dom0less?.domains[0].storePFN = 0
        let (results, lines) = try Dom0lessFixtures.run(host)
        XCTAssertEqual(results.map(\.outcome), [.failed, .initialised])
        XCTAssertEqual(lines[0], "error: domain 1 (old): its node asks for xen,enhanced (legacy) but Xen gave it no xenstore event channel (Xen 4.21 \"legacy\" bug); not initialised")
        XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 1), ["introduced: false"])
        XCTAssertEqual(host.hypervisor.state.dom0less?.domains[0].extraPages, [:])
    }

    func testABootTreeItCannotReadIsReportedAndTheDomainsGetGenericNames() throws {
        let host = try open(.v4_21, Dom0lessFixtures.twoEnhanced)
        defer { host.close() }
        var broken = try host.bootTree()
        try broken.removeProperty("cpus", at: "/chosen/web")
        var lines: [String] = []
        let toolstack = Toolstack(hypervisor: host.hypervisor, xenstore: host.xenstore, bootTree: broken,
                                  output: { lines.append($0) }, log: { lines.append("error: " + $0) })
        let results = try toolstack.initDom0less(control: host.hypervisor, environment: Dom0lessFixtures.environment())
        XCTAssertEqual(results.map(\.outcome), [.initialised, .skipped, .initialised])
        XCTAssertEqual(lines.first, "error: warning: cannot read the domains under /chosen of the boot device tree (Missing property 'cpus' for domain web); naming them dom0less-<id>")
        XCTAssertEqual(try host.xenstore.readString("/local/domain/1/name"), "dom0less-1")
    }

    func testXlListShowsAllThreeAndDestroyRemovesTheVMNode() throws {
        let host = try open(.v4_21)
        _ = try Dom0lessFixtures.run(host)
        let vm = try XCTUnwrap(host.xenstore.readString("/local/domain/2/vm"))
        try host.save()
        host.close()
        func xl(_ arguments: String...) -> (Int32, String) {
            var out = ""
            let status = XLMain.run(arguments, environment: ["XL_SIMULATE": host.directory],
                                    output: Output(stdout: { out += $0 }, stderr: { out += $0 }))
            return (status, out)
        }
        let (status, listing) = xl("list")
        XCTAssertEqual(status, 0, listing)
        for row in ["Domain-0 ", "(null) ", "web ", "rt "] { XCTAssertTrue(listing.contains(row), listing) }
        // list -l: init-dom0less's record for each domain it set up; as upstream, none for dom0 and the one it skipped.
        let (longStatus, long) = xl("list", "-l")
        XCTAssertEqual(longStatus, 0, long)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(long.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["domid"] as? Int }, [2, 3])
        let web = try XCTUnwrap(rows.first?["config"] as? [String: Any])
        XCTAssertEqual((web["c_info"] as? [String: Any])?["name"] as? String, "web")
        XCTAssertEqual((web["c_info"] as? [String: Any])?["uuid"] as? String, String(vm.dropFirst("/vm/".count)))
        XCTAssertEqual((web["b_info"] as? [String: Any])?["max_vcpus"] as? Int, 2)
        XCTAssertEqual(xl("destroy", "web").0, 0)
        let after = try SimulatedHost.open(directory: host.directory)
        defer { after.close() }
        XCTAssertFalse(try after.xenstore.exists(vm))
        XCTAssertFalse(try after.xenstore.exists("/local/domain/2"))
        XCTAssertTrue(try after.xenstore.exists("/local/domain/3"))
    }

    func testASecondRunChangesNothing() throws {
        for version in [XenVersion.v4_19, .v4_21] {
            let host = try open(version)
            defer { host.close() }
            _ = try Dom0lessFixtures.run(host)
            let xenstore = try XenStoreDump.lines(host.xenstore, "/")
            let hypervisor = host.hypervisor.state.dom0less
            let (results, lines) = try Dom0lessFixtures.run(host)
            XCTAssertEqual(try XenStoreDump.lines(host.xenstore, "/"), xenstore)
            XCTAssertEqual(host.hypervisor.state.dom0less, hypervisor)
            XCTAssertEqual(lines[1], "domain 2 (web): already initialised; skipped")
            XCTAssertEqual(results.filter { $0.outcome == .initialised }, [])
        }
    }

    func testOfflineVCPUsAreWrittenFromTheOnlineMap() throws {
        let host = try open(.v4_19)
        defer { host.close() }
        host.hypervisor.state.dom0less?.domains[1].onlineVCPUs = [true, false]
        _ = try Dom0lessFixtures.run(host)
        XCTAssertEqual(try host.xenstore.readString("/local/domain/2/cpu/1/availability"), "offline")
        XCTAssertEqual(try host.xenstore.readString("/local/domain/2/cpu/0/availability"), "online")
    }

    func testTheGuestCannotRewriteItsNameOrMemory() throws {
        let host = try open(.v4_19)
        defer { host.close() }
        _ = try Dom0lessFixtures.run(host)
        let guest = try XCTUnwrap(host.sharedXenStore).connection(as: 2)
        for path in ["name", "domid", "memory/target", "memory/static-max", "vm"] {
            XCTAssertThrowsError(try guest.write("/local/domain/2/" + path, string: "x"), path)
        }
        XCTAssertNoThrow(try guest.write("/local/domain/2/control/shutdown", string: "poweroff"))
        XCTAssertNoThrow(try guest.write("/local/domain/2/data/x", string: "1"))
    }

    func testAHomeItDidNotWriteIsLeftAlone() throws {
        let host = try open(.v4_19)
        defer { host.close() }
        try host.xenstore.write("/local/domain/2/name", string: "being-created")
        let (results, lines) = try Dom0lessFixtures.run(host)
        XCTAssertEqual(results[1].outcome, .failed)
        XCTAssertTrue(lines[1].contains("exists but was not written by init-dom0less"), lines[1])
        XCTAssertEqual(try host.xenstore.readString("/local/domain/2/name"), "being-created")
    }

    func testAgainstTheRealXenstoredTheTreeAndPermissionsMatchTheTable() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        // libxenstore takes the socket from XENSTORED_PATH, which the backend exports: restore it so
        // processes that other tests start do not inherit a stopped daemon's socket.
        let saved = ProcessInfo.processInfo.environment["XENSTORED_PATH"]
        defer { if let saved { setenv("XENSTORED_PATH", saved, 1) } else { unsetenv("XENSTORED_PATH") } }
        for version in [XenVersion.v4_19, .v4_21] {
            let daemon = try Xenstored()
            defer { daemon.stop() }
            let host = try open(version, socket: daemon.socketPath)
            defer { host.close() }
            let (results, _) = try Dom0lessFixtures.run(host)
            XCTAssertEqual(results.map(\.outcome), [.skipped, .initialised, version >= .v4_21 ? .initialised : .failed])
            XCTAssertEqual(try Dom0lessFixtures.snapshot(host.xenstore, 2), ExpectedTree.web(ringRef: "233473"))
            let before = try XenStoreDump.lines(host.xenstore, "/")
            let second = try Dom0lessFixtures.run(host)
            XCTAssertEqual(second.results.filter { $0.outcome == .initialised }, [])
            XCTAssertEqual(try XenStoreDump.lines(host.xenstore, "/"), before)
        }
    }

    func testExitStatusReflectsEveryDomain() throws {
        let directory = try Dom0lessFixtures.directory()
        let dtb = directory + "/host.dtb"
        try Data(try Dom0lessFixtures.tree(Dom0lessFixtures.three).bytes).write(to: URL(fileURLWithPath: dtb))
        var out = "", err = ""
        let output = Output(stdout: { out += $0 }, stderr: { err += $0 })
        let status = InitDom0lessMain.run(["--simulate", directory + "/h", "--host-dtb", dtb], environment: [:], output: output)
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out.split(separator: "\n").count, 2)
        let lines = err.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "created a new simulated Xen 4.19 host in \(directory)/h", "a new host is announced first")
        XCTAssertTrue(lines.dropFirst().first?.hasPrefix("init-dom0less: domain 3 (rt):") == true, err)
        let again = InitDom0lessMain.run(["--simulate", directory + "/h421", "--host-dtb", dtb, "--xen-version", "4.21"], environment: [:], output: output)
        XCTAssertEqual(again, 0)
        // Each domain it initialised gets libxl's config record file, named by the handle it set.
        let records = try FileManager.default.contentsOfDirectory(atPath: directory + "/h421/var/lib/xen").sorted()
        XCTAssertEqual(records.count, 2, "\(records)")
        let host = try SimulatedHost.open(directory: directory + "/h421")
        let uuids = try [1, 2, 3].compactMap { try host.xenstore.readString("/local/domain/\($0)/vm")?.split(separator: "/").last.map(String.init) }
        let ids = try [1, 2, 3].filter { try host.xenstore.readString("/local/domain/\($0)/vm") != nil }
        host.close()
        XCTAssertEqual(records, zip(ids, uuids).map { "userdata-d.\($0.0).\($0.1).libxl-json" }.sorted())
        let first = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/h421/var/lib/xen/" + records[0]))
        let text = String(decoding: first.dropLast(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\n    \"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \""), text)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        if Xenstored.isAvailable {
            // libxl takes b_info's type from the record; without it Debian's xl list -l aborts on the domain.
            let reading = try LibxlRecordOracle().read(directory + "/h421/var/lib/xen/" + records[0])
            XCTAssertEqual([reading.createType, reading.buildType], ["pvh", "pvh"], reading.json)
        }
        // A file gone missing is written again by the next run, which otherwise skips the domains.
        try FileManager.default.removeItem(atPath: directory + "/h421/var/lib/xen/" + records[0])
        XCTAssertEqual(InitDom0lessMain.run(["--simulate", directory + "/h421"], environment: [:], output: output), 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/h421/var/lib/xen").sorted(), records)
        XCTAssertEqual(FileManager.default.contents(atPath: directory + "/h421/var/lib/xen/" + records[0]), first)
        XCTAssertEqual(InitDom0lessMain.run(["extra"], environment: [:], output: output), 2)
    }
}
