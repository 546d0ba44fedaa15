// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLCommands
import XenSimulator

/// `xl console` staying attached to a simulated guest on a terminal: what it prints as the guest writes, and
/// when it stops (the escape, the end of stdin, the domain gone).
final class SimulatedConsoleFollowTests: XCTestCase {
    /// A follower over scripted keys and console states; returns how it ended and what it printed.
    private func follow(keys: [SimulatedConsoleFollow.Input], outputs: [String?], escape: String? = nil,
                        after shown: String = "") throws -> (SimulatedConsoleFollow.End, String) {
        var keys = keys[...], outputs = outputs[...], printed = ""
        let follower = SimulatedConsoleFollow(
            escape: SimulatedConsoleFollow.escapeByte(escape),
            input: { _ in keys.popFirst() ?? .end },
            output: { outputs.count > 1 ? outputs.popFirst() ?? nil : outputs.first ?? nil },
            write: { printed += $0 })
        return (try follower.run(after: shown), printed)
    }

    func testItPrintsWhatTheGuestWritesUntilTheEscape() throws {
        let (end, printed) = try follow(keys: [.none, .byte(UInt8(ascii: "x")), .none, .none, .byte(0x1d), .none],
                                        outputs: ["boot\n", "boot\nline 1\n", "boot\nline 1\n", "boot\nline 1\nline 2\n", "boot\nline 1\nline 2\nlater\n"],
                                        after: "boot\n")
        XCTAssertEqual(end, .detached)
        XCTAssertEqual(printed, "line 1\nline 2\n", "keys other than the escape are dropped, and nothing after the escape is shown")
    }

    func testTheEscapeIsTheOneMinusEGave() throws {
        XCTAssertEqual(SimulatedConsoleFollow.escapeByte(nil), 0x1d)
        XCTAssertEqual(SimulatedConsoleFollow.escapeByte("^]"), 0x1d)
        XCTAssertEqual(SimulatedConsoleFollow.escapeByte("^a"), 0x01)
        XCTAssertEqual(SimulatedConsoleFollow.escapeByte("q"), UInt8(ascii: "q"))
        let (end, _) = try follow(keys: [.byte(0x1d), .byte(0x01)], outputs: [""], escape: "^a")
        XCTAssertEqual(end, .detached, "Ctrl-] is an ordinary key once -e ^a is given")
    }

    func testItStopsWhenStdinEndsOrTheDomainIsGone() throws {
        XCTAssertEqual(try follow(keys: [.none, .end], outputs: ["a"]).0, .inputEnded)
        let (end, printed) = try follow(keys: [.none, .none, .none], outputs: ["a", "ab", nil], after: "a")
        XCTAssertEqual(end, .domainGone)
        XCTAssertEqual(printed, "b")
    }

    func testOutputPastTheLimitIsFoundByItsEnd() {
        let old = String(repeating: "0123456789", count: 100)
        // The guest dropped its oldest 30 bytes to make room for 30 new ones.
        let now = String(old.dropFirst(30)) + String(repeating: "n", count: 30)
        XCTAssertEqual(SimulatedConsoleFollow.added(since: old, now: now), String(repeating: "n", count: 30))
        XCTAssertEqual(SimulatedConsoleFollow.added(since: "abc", now: "abcdef"), "def")
        XCTAssertEqual(SimulatedConsoleFollow.added(since: "same", now: "same"), "")
        XCTAssertEqual(SimulatedConsoleFollow.added(since: "a domain that went", now: "another one"), "another one", "a new domain's console is all new")
        XCTAssertEqual(SimulatedConsoleFollow.added(since: "", now: "first"), "first")
    }

    func testTheSavedConsoleIsReadWithoutTheLockAndEndsWithTheDomain() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("--host-dtb", try xl.dtbo("host.dtb", CreateFixtures.host), "list").status, 0)
        let config = CreateFixtures.config(kernel: try xl.file("Image", CreateFixtures.kernel), deviceTree: try xl.dtbo("guest.dtb", CreateFixtures.partial()))
        XCTAssertEqual(xl("create", try xl.file("midway.cfg", Array(config.utf8))).status, 0)
        let saved = try XCTUnwrap(try SimulatedHost.savedConsole(directory: xl.directory, domain: 1, vuart: false))
        XCTAssertEqual(saved, xl("console", "midway").stdout)
        XCTAssertEqual(try SimulatedHost.savedConsole(directory: xl.directory, domain: 1, vuart: true), "")
        XCTAssertEqual(xl("destroy", "midway").status, 0)
        XCTAssertNil(try SimulatedHost.savedConsole(directory: xl.directory, domain: 1, vuart: false))
        XCTAssertThrowsError(try SimulatedHost.savedConsole(directory: xl.scratch.path + "/none", domain: 1, vuart: false))
    }
}
