// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenTypes

/// Guests that break the hand-off: each run of `xl` ends with one clear line within its
/// `--timeout`, and where the hand-off failed before Xen was asked, the host is as it was.
final class HostileGuestTests: XCTestCase {
    private typealias Script = @Sendable (HostileGuest.Context) throws -> Void

    /// Writes `page-refs` as given, answering this request.
    private static func refs(_ text: String) -> Script {
        { guest in try guest.write([("page-refs", text), ("receiver-request", guest.id), ("receiver-status", "page-refs")]) }
    }

    func testEveryBrokenAnswerBeforeTheHypercallsEndsCleanly() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let step = "while xl waited for it to share 1 page(s) (page-refs); out of order"
        let cases: [(String, Script, String)] = [
            ("two references for one page", { guest in
                let refs = try guest.share(2)
                try Self.refs("\(refs[0]),\(refs[1]),")(guest)
            }, "domain \(guest) sent bad grant references: page-refs holds 2 references; the overlay takes 1 pages"),
            ("negative", Self.refs("-1,"), "domain \(guest) sent bad grant references: page-refs entry 1 is \"-1\", not a grant reference (0 to 4294967295)"),
            ("not a number", Self.refs("abc,"), "domain \(guest) sent bad grant references: page-refs entry 1 is \"abc\", not a grant reference (0 to 4294967295)"),
            ("long token", Self.refs("123456789012345"), "domain \(guest) sent bad grant references: page-refs is 15 bytes long; 1 references take at most 11"),
            ("oversize", Self.refs(String(repeating: "1,", count: 750)), "domain \(guest) sent bad grant references: page-refs is 1500 bytes long; 1 references take at most 11"),
            ("empty", Self.refs(""), "domain \(guest) sent bad grant references: page-refs holds 0 references; the overlay takes 1 pages"),
            ("never granted", Self.refs("4000,"), "cannot map the 1 page(s) domain \(guest) granted (references 4000): xengnttab_map_domain_grant_refs: EINVAL (Invalid argument)"),
            ("received before sharing", { guest in
                try guest.write([("receiver-request", guest.id), ("receiver-status", "received")])
            }, "domain \(guest) answered received for this request \(step)"),
            ("another request", { guest in
                try guest.write([("page-refs", "8,"), ("receiver-request", "ffff"), ("receiver-status", "page-refs")])
            }, "domain \(guest) answered page-refs for request ffff \(step)"),
            ("not a status", { guest in try guest.write([("receiver-status", "bogus")]) },
             "domain \(guest) wrote receiver-status \"bogus\", which is not a status of the protocol"),
            ("long status", { guest in try guest.write([("receiver-status", String(repeating: "w", count: 100))]) },
             "domain \(guest) wrote 100 bytes into receiver-status; no value of the protocol is that long"),
            ("its own error", { guest in
                try guest.write([("receiver-error", "no memory\nfor pages"), ("receiver-request", guest.id), ("receiver-status", "error")])
            }, "domain \(guest)'s get_overlay could not share 1 page(s): no memory; for pages"),
            ("silent", { _ in }, "domain \(guest) did not share 1 page(s) within 1 s (no page-refs in /local/domain/\(guest)/data/overlay/receiver-status)"),
            ("started again after the copy", { guest in
                let refs = try guest.share(1)
                try Self.refs("\(refs[0]),")(guest)
                try guest.waitForSender("done")
                try guest.write([("receiver-request", ""), ("receiver-status", "waiting")])
            }, "domain \(guest)'s get_overlay started again while it had to copy and check the overlay; the hand-off was abandoned"),
            ("applied before it was told", { guest in
                let refs = try guest.share(1)
                try Self.refs("\(refs[0]),")(guest)
                try guest.waitForSender("done")
                try guest.write([("receiver-status", "applied")])
            }, "domain \(guest) answered applied for this request while xl waited for it to copy and check the overlay (received); out of order"),
        ]
        for (name, script, message) in cases {
            let before = xl.snapshot()["host.json"]
            let hostile = HostileGuest(directory: xl.directory, domain: guest, script)
            let start = Date()
            let result = xl("dt-overlay", "add", path, "guest", "eth", "normal", "0", "--timeout", "1")
            hostile.join()
            XCTAssertEqual(result.status, 1, name)
            XCTAssertEqual(result.stderr, "dt-overlay add \(path) guest: \(message); nothing was changed\n", name)
            XCTAssertLessThan(Date().timeIntervalSince(start), 15, "\(name): within the timeouts")
            XCTAssertEqual(xl.snapshot()["host.json"], before, "\(name): Xen untouched")
            XCTAssertEqual(xl("dt-overlay", "list").stdout, "", name)
            let left = try xl.withHost { host in try host.xenstore.children("/local/domain/\(guest)/data/overlay") }
            XCTAssertTrue(Set(left).isSubset(of: ["receiver-status", "receiver-request", "page-refs", "receiver-error"]), "\(name): dom0's nodes removed, left \(left)")
            XCTAssertEqual(try xl.withHost { try $0.xenstore.children("/libxl/dt-overlay-handoff") }, [], name)
            XCTAssertTrue(try SimulatedGrantTable(hostDirectory: xl.directory).grants().isEmpty, name)
        }
    }

    /// A guest that takes the overlay properly and then does `last`.
    private func afterReceiving(_ last: @escaping Script) -> Script {
        { guest in
            let refs = try guest.share(1)
            try Self.refs("\(refs[0]),")(guest)
            try guest.waitForSender("done")
            try guest.write([("receiver-status", "received")])
            try guest.waitForSender("apply")
            try last(guest)
        }
    }

    func testAGuestThatFailsOrGoesSilentAfterXenGaveTheDevicesIsReportedAsSuch() throws {
        let cases: [(String, Script, (DomainID) -> String)] = [
            ("silent", { _ in }, { "domain \($0) did not apply overlay eth within 1 s (no applied in /local/domain/\($0)/data/overlay/receiver-status)" }),
            ("refuses", { guest in
                try guest.write([("receiver-error", "configfs refused the overlay"), ("receiver-status", "error")])
            }, { "domain \($0)'s get_overlay could not apply overlay eth: configfs refused the overlay" }),
        ]
        for (name, last, reason) in cases {
            let xl = try XLRunner()
            let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
            let guest = try NormalModeFixtures.domU(xl)
            let hostile = HostileGuest(directory: xl.directory, domain: guest, afterReceiving(last))
            let result = xl("dt-overlay", "add", path, "guest", "eth", "normal", "0", "--timeout", "1")
            hostile.join()
            XCTAssertEqual(result.status, 1, name)
            XCTAssertEqual(result.stderr, "dt-overlay add \(path) guest: \(reason(guest)); Xen added the overlay and gave its devices to domain \(guest), which keeps them (Xen has no detach); `xl dt-overlay list` shows it\n", name)
            // What Xen did stays, and the record says so.
            XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays.first?.attachedTo }, guest, name)
            XCTAssertTrue(xl("dt-overlay", "list").stdout.contains("eth.dtbo"), name)
            try NormalModeFixtures.assertNoHandoffLeft(xl, guest, name)
        }
    }

    func testAFailedAttachIsUndoneAndTheGuestDropsItsCopy() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let script = try GuestScript()
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_DOMCTL_dt_overlay"] = .EBUSY }
        let run = try NormalModeFixtures.guestScript(xl, guest, script: script)
        let result = xl("dt-overlay", "add", path, "guest", "eth", "normal", "0", "--timeout", "20")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("dt-overlay attach \(path): Xen refused XEN_DOMCTL_dt_overlay with EBUSY"), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" (the add was undone)\n"), result.stderr)
        let answer = run.wait()
        XCTAssertEqual(answer.status, 1)
        XCTAssertTrue(answer.stderr.contains("get_overlay: domain 0 gave up request "), answer.stderr)
        XCTAssertTrue(answer.stderr.contains(": dom0 could not give the devices to this domain: dt-overlay attach"), answer.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: script.item("eth").path), "nothing applied in the guest")
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.overlays, [])
        XCTAssertEqual(state.hostTree, state.bootTree)
        try NormalModeFixtures.assertNoHandoffLeft(xl, guest)
    }

    func testARestartedGetOverlayPicksUpTheOpenRequest() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try NormalModeFixtures.domU(xl)
        let script = try GuestScript()
        // The first receiver takes the request and stops answering before it shares any page;
        // a get_overlay started after it answers the same request.
        let first = HostileGuest(directory: xl.directory, domain: guest) { _ in }
        let second = Thread { [directory = xl.directory] in
            usleep(300_000)
            var environment = script.environment()
            environment["XENSTORED_PATH"] = nil
            _ = try? script.run(["--once", "--simulate", directory, "--domain", String(guest.rawValue), "--timeout", "20", "--wait", "30"], environment: environment)
        }
        second.start()
        let result = xl("dt-overlay", "add", path, "guest", "eth", "normal", "0", "--timeout", "20")
        first.join()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: script.item("eth").appendingPathComponent("dtbo").path))
        try NormalModeFixtures.assertNoHandoffLeft(xl, guest)
    }

    func testConcurrentXLRunsForOneGuestEachEndCleanly() throws {
        let xl = try XLRunner()
        guard let binary = XLRunner.binary else { throw XCTSkip("xl is not built next to the tests") }
        let guest = try NormalModeFixtures.domU(xl)
        let eth = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let uart = try xl.dtbo("uart.dtbo", OverlaySources.device("serial@9200000", address: 0x920_0000, spis: [50]))
        let script = try GuestScript()
        var environment = script.environment()
        environment["XENSTORED_PATH"] = nil
        // The guest serves requests in a loop, as get_overlay.sh does without --once.
        let server = try script.start(["--simulate", xl.directory, "--domain", String(guest.rawValue), "--timeout", "20", "--wait", "5"], environment: environment)
        defer {
            kill(server.processIdentifier, SIGTERM)
            _ = server.wait()
        }
        var xlEnvironment = ProcessInfo.processInfo.environment
        xlEnvironment["XL_SIMULATE"] = xl.directory
        xlEnvironment["XENSTORED_PATH"] = nil
        let runs = try [eth, uart, eth].enumerated().map { index, path in
            try GuestScript.Run(executable: binary.path, arguments: ["dt-overlay", "add", path, "guest", "ov\(index)", "normal", "0", "--timeout", "20"], environment: xlEnvironment)
        }
        let results = runs.map { $0.wait() }
        // Both overlays arrive; adding the first one twice is refused by one of the two runs.
        XCTAssertEqual(results.filter { $0.status == 0 }.count, 2, "\(results)")
        let refused = results.filter { $0.status != 0 }
        XCTAssertEqual(refused.count, 1)
        XCTAssertEqual(refused.first?.stderr, "dt-overlay add \(eth): this overlay is already added (from \(eth)); remove it first\n")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays.map(\.attachedTo) }, [guest, guest])
        let applied = try FileManager.default.contentsOfDirectory(atPath: script.configfs.appendingPathComponent("device-tree/overlays").path)
        XCTAssertEqual(applied.count, 2, "\(applied)")
        // The looping guest is waiting again; nothing of dom0's is left.
        let left = try xl.withHost { try $0.xenstore.children("/local/domain/\(guest)/data/overlay") }
        XCTAssertTrue(Set(left).isSubset(of: ["receiver-status", "receiver-request"]), "\(left)")
        XCTAssertEqual(try xl.withHost { try $0.xenstore.children("/libxl/dt-overlay-handoff") }, [])
    }
}
