// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// Every hypercall and every xenstore request of a run fails in turn: the other domains are still
/// initialised, the failed one has no xenstore entries and is not introduced, and a second run completes it.
final class FaultInjectionTests: XCTestCase {
    private static let hypercalls = [
        "xc_domain_getinfolist", "xc_hvm_param_get(HVM_PARAM_STORE_EVTCHN)", "xc_hvm_param_get(HVM_PARAM_STORE_PFN)",
        "xenforeignmemory_map", "xc_domain_setmaxmem", "xc_domain_populate_physmap_exact", "xc_clear_domain_page",
        "xc_dom_gnttab_seed", "xc_hvm_param_set(HVM_PARAM_STORE_PFN)", "xc_domain_sethandle", "xc_vcpu_getinfo",
    ]

    private func open() throws -> SimulatedHost {
        try SimulatedHost.open(directory: try Dom0lessFixtures.directory(), hostDTB: try Dom0lessFixtures.tree(Dom0lessFixtures.twoEnhanced), version: .v4_19)
    }

    /// Each enhanced domain is either complete (introduced, with its whole tree) or untouched in xenstore.
    private func assertNoHalfInitialisedDomain(_ host: SimulatedHost, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for domain: DomainID in [1, 3] {
            let snapshot = try Dom0lessFixtures.snapshot(host.xenstore, domain)
            if try host.xenstore.isIntroduced(domain) {
                XCTAssertTrue(snapshot.contains { $0.hasSuffix("/store/ring-ref = \"233473\" n0,r\(domain)") }, "\(context): \(snapshot)", file: file, line: line)
                XCTAssertEqual(snapshot.count, domain == 1 ? 40 : 38, "\(context): \(snapshot)", file: file, line: line)
            } else {
                XCTAssertEqual(snapshot, ["introduced: false"], context, file: file, line: line)
            }
        }
    }

    func testEachHypercallFailingLeavesTheOtherDomainInitialised() throws {
        for operation in Self.hypercalls {
            let host = try open()
            defer { host.close() }
            host.hypervisor.state.injectedFailures[operation] = .EIO
            let (results, lines) = try Dom0lessFixtures.run(host)
            XCTAssertEqual(results.map(\.outcome), [.failed, .skipped, .initialised], "\(operation): \(lines)")
            XCTAssertTrue(lines[0].contains(operation), "\(operation): \(lines[0])")
            try assertNoHalfInitialisedDomain(host, operation)
            let again = try Dom0lessFixtures.run(host)
            XCTAssertEqual(again.results.map(\.outcome), [.initialised, .skipped, .skipped], operation)
            try assertNoHalfInitialisedDomain(host, operation)
            XCTAssertEqual(host.hypervisor.state.dom0less?.domains[0].maxMemoryKiB, 0x40000 + 4, "maxmem raised once: \(operation)")
            XCTAssertEqual(host.hypervisor.state.domains[1].memoryKiB, 0x40000 + 4, "one page populated: \(operation)")
        }
    }

    func testEachXenstoreRequestFailingLeavesNoHalfInitialisedDomain() throws {
        var requests = 0
        do {
            let host = try open()
            defer { host.close() }
            let store = try XCTUnwrap(host.sharedXenStore)
            store.injectFailure = { _, _ in requests += 1; return nil }
            _ = try Dom0lessFixtures.run(host)
        }
        XCTAssertGreaterThan(requests, 60)
        for failing in 1...requests {
            let host = try open()
            defer { host.close() }
            let store = try XCTUnwrap(host.sharedXenStore)
            var count = 0
            var failed: String?
            store.injectFailure = { operation, path in
                count += 1
                guard count == failing else { return nil }
                failed = "\(operation) \(path ?? "")"
                return .EIO
            }
            let (results, lines) = try Dom0lessFixtures.run(host)
            let context = "request \(failing) (\(failed ?? "?"))"
            XCTAssertEqual(results.filter { $0.outcome == .failed }.count, 1, "\(context): \(lines)")
            for result in results where result.domain != 2 && result.outcome != .failed {
                XCTAssertEqual(result.outcome, .initialised, "\(context): \(lines)")
            }
            store.injectFailure = nil
            try assertNoHalfInitialisedDomain(host, context)
            _ = try Dom0lessFixtures.run(host)
            XCTAssertTrue(try store.isIntroduced(1) && store.isIntroduced(3), context)
        }
    }
}
