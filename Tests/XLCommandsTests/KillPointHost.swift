import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient

/// A fresh simulated host for one kill point, with its xenstore in `xenstore.json` or in a real
/// xenstored of its own, and the built `xl` to run against it as a child process.
final class KillPointHost {
    let directory: String
    let scratch: URL
    private let daemon: Xenstored?
    var environment: [String: String]

    init(realXenstored: Bool, scratch: URL) throws {
        self.scratch = scratch
        directory = scratch.appendingPathComponent("host-\(UUID().uuidString)").path
        daemon = realXenstored ? try Xenstored() : nil
        environment = ["XL_SIMULATE": directory]
        if let daemon { environment["XENSTORED_PATH"] = daemon.socketPath }
    }

    deinit {
        daemon?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static var xl: URL? { KillPoints.binary("xl") }

    /// Runs `xl` to the end.
    @discardableResult
    func xl(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> KillPoints.Run {
        try KillPoints.run(try XCTUnwrap(Self.xl, file: file, line: line), arguments, environment: environment)
    }

    /// The host's state; `normalise` as in ``KillPoints/state(_:xenstore:ignoring:normalise:)``.
    func state(ignoring: Set<String> = [], normalise: (String) -> String = { $0 }) throws -> KillPoints.State {
        if let daemon {
            // libxenstore reads XENSTORED_PATH, which the backend sets: keep this process's as it was.
            let saved = ProcessInfo.processInfo.environment["XENSTORED_PATH"]
            defer { if let saved { setenv("XENSTORED_PATH", saved, 1) } else { unsetenv("XENSTORED_PATH") } }
            return try KillPoints.state(directory, xenstore: try LibXenStoreBackend(socketPath: daemon.socketPath), ignoring: ignoring, normalise: normalise)
        }
        return try KillPoints.state(directory, xenstore: try SharedXenStore(directory: directory, caller: .dom0), ignoring: ignoring, normalise: normalise)
    }

    /// Xen's state, read from `host.json`.
    func hypervisor() throws -> SimulatedHostState {
        try JSONDecoder().decode(SimulatedHostState.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/host.json")))
    }
}

/// One command killed at every step it takes, each on a fresh host: after the kill, the listing
/// must show what Xen holds, the cleanup must succeed, and the host must end where ordinary
/// commands end: as it was before the command, as the uninterrupted command and the same cleanup
/// leave it, or as one of the `partial` command sequences (what the command does up to a point,
/// such as expert mode's add without its attach) and the cleanup leave it.
struct KillPointCase {
    /// Boots the host and runs what comes before the command.
    var setup: (KillPointHost) throws -> Void
    /// The command's arguments on a host set up by `setup`.
    var command: (KillPointHost) -> [String]
    /// Checks that the listings tell the truth about the host and runs the cleanup they call for.
    var cleanUp: (KillPointHost, String) throws -> Void
    /// Commands that stop where the command may be stopped (each run after `setup`, then cleaned up;
    /// `setup` and the cleanup alone are always one).
    var partial: [(KillPointHost) -> [String]] = []
    var ignoring: Set<String> = []
    var normalise: (String) -> String = { $0 }

    /// Runs every kill point; returns (kill points, cleaned up) for the report.
    @discardableResult
    func check(realXenstored: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> (points: Int, cleaned: Int) {
        let xl = try XCTUnwrap(KillPointHost.xl, "xl is not built next to the tests", file: file, line: line)
        let scratch = try DeviceTreeTools.scratch()
        // The uninterrupted command, to count its steps and to know where it and the cleanup end.
        let reference = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
        try setup(reference)
        let before = try reference.state(ignoring: ignoring, normalise: normalise)
        let arguments = command(reference)
        let (run, steps) = try KillPoints.steps(xl, arguments, environment: reference.environment)
        XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)", file: file, line: line)
        XCTAssertGreaterThan(steps.count, 1, "\(arguments) traced no steps", file: file, line: line)
        try cleanUp(reference, "uninterrupted")
        var ends = [before, try reference.state(ignoring: ignoring, normalise: normalise)]
        for stop in [nil] + partial {
            let host = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
            try setup(host)
            if let stop {
                let run = try host.xl(stop(host))
                XCTAssertEqual(run.status, 0, "\(stop(host)): \(run.stderr)", file: file, line: line)
            }
            try cleanUp(host, "partial run")
            ends.append(try host.state(ignoring: ignoring, normalise: normalise))
        }

        var cleaned = 0
        for (index, step) in steps.enumerated() {
            let context = "\(arguments.joined(separator: " ")) killed before step \(index + 1) (\(step))"
            let host = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
            try setup(host)
            let killed = try KillPoints.kill(xl, command(host), at: index + 1, environment: host.environment)
            XCTAssertTrue(killed.killed, "\(context): ended with status \(killed.status): \(killed.stderr)", file: file, line: line)
            try cleanUp(host, context)
            let end = try host.state(ignoring: ignoring, normalise: normalise)
            if ends.contains(end) {
                cleaned += 1
            } else {
                XCTFail("\(context): the cleanup left\n\(end)\nexpected one of\n\(ends.map(\.description).joined(separator: "\n--\n"))", file: file, line: line)
            }
        }
        XCTAssertEqual(cleaned, steps.count, "\(arguments): kill points cleaned up", file: file, line: line)
        return (steps.count, cleaned)
    }
}
