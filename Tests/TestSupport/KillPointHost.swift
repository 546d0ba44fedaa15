// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import XenSimulator
import XenStoreClient
import XenTypes

/// A fresh simulated host for one kill point, with its xenstore in `xenstore.json` or in a real
/// xenstored of its own, and the built binaries to run against it as child processes.
public final class KillPointHost {
    public let directory: String
    /// Shared by every host of one ``KillPointCase``: the files the commands read.
    public let scratch: URL
    private let daemon: Xenstored?
    public var environment: [String: String]

    public init(realXenstored: Bool, scratch: URL) throws {
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

    /// The socket of this host's xenstored, if it has one.
    public var xenstoredSocket: String? { daemon?.socketPath }

    /// Runs a built binary (`xl` unless told otherwise) to the end.
    @discardableResult
    public func run(_ arguments: [String], binary: String = "xl") throws -> KillPoints.Run {
        guard let executable = KillPoints.binary(binary) else { throw XenstoredError("\(binary) is not built next to the tests") }
        return try KillPoints.run(executable, arguments, environment: environment)
    }

    /// Boots the host in this process (cheaper than a first `xl` run): `hostDTB` as in
    /// ``SimulatedHost/open(directory:hostDTB:version:flavour:xenstoredSocket:killPoints:)``; `body` may set it up further.
    public func boot(hostDTB: DeviceTree? = nil, version: XenVersion? = nil, _ body: (SimulatedHost) throws -> Void = { _ in }) throws {
        // libxenstore reads XENSTORED_PATH, which the backend sets: keep this process's as it was.
        let saved = ProcessInfo.processInfo.environment["XENSTORED_PATH"]
        defer { if let saved { setenv("XENSTORED_PATH", saved, 1) } else { unsetenv("XENSTORED_PATH") } }
        let host = try SimulatedHost.open(directory: directory, hostDTB: hostDTB, version: version, xenstoredSocket: daemon?.socketPath)
        defer { host.close() }
        try body(host)
        try host.save()
    }

    /// The host's state; `normalise` and `ignoring` as in ``KillPoints/state(_:xenstore:ignoring:normalise:)``.
    public func state(ignoring: Set<String> = [], normalise: (String) -> String = { $0 }) throws -> KillPoints.State {
        if let daemon {
            // libxenstore reads XENSTORED_PATH, which the backend sets: keep this process's as it was.
            let saved = ProcessInfo.processInfo.environment["XENSTORED_PATH"]
            defer { if let saved { setenv("XENSTORED_PATH", saved, 1) } else { unsetenv("XENSTORED_PATH") } }
            return try KillPoints.state(directory, xenstore: try LibXenStoreBackend(socketPath: daemon.socketPath), ignoring: ignoring, normalise: normalise)
        }
        return try KillPoints.state(directory, xenstore: try SharedXenStore(directory: directory, caller: .dom0), ignoring: ignoring, normalise: normalise)
    }

    /// Xen's state, read from `host.json`.
    /// The domain ids `xl list` prints, and whether they are exactly the domains simulated Xen has; the first
    /// thing a kill-point test checks after a kill.
    public func listedDomains() throws -> (ids: [UInt16], truthful: Bool, output: String) {
        let list = try run(["list"])
        let ids = list.stdout.split(separator: "\n").dropFirst().compactMap { row in
            row.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { UInt16($0) }
        }
        let known = try hypervisor().domains.map(\.id.rawValue)
        return (ids, list.status == 0 && ids == known, list.stdout + list.stderr)
    }

    public func hypervisor() throws -> SimulatedHostState {
        try JSONDecoder().decode(SimulatedHostState.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/host.json")))
    }
}

/// One command killed at every step it takes, each on a fresh host: after the kill, the listing
/// must show what Xen holds, the cleanup must succeed, and the host must end where ordinary
/// commands end: as it was before the command, as the uninterrupted command and the same cleanup
/// leave it, or as one of the `partial` commands (what the command does up to a point, such as
/// expert mode's add without its attach) and the cleanup leave it.
public struct KillPointCase {
    /// What the check found: how many kill points, how many ended cleaned up, and each problem.
    public struct Report {
        public var points = 0
        public var cleaned = 0
        public var failures: [String] = []
    }

    /// The binary that runs the command.
    public var binary = "xl"
    /// Boots the host and runs what comes before the command.
    public var setup: (KillPointHost) throws -> Void
    /// The command's arguments on a host set up by `setup`.
    public var command: (KillPointHost) -> [String]
    /// Checks that the listings tell the truth about the host and runs the cleanup they call for;
    /// the string names the kill point for messages.
    public var cleanUp: (KillPointHost, String) throws -> Void
    /// Commands that stop where the command may be stopped (each run after `setup`, then cleaned up;
    /// `setup` and the cleanup alone are always one).
    public var partial: [(KillPointHost) -> [String]] = []
    public var ignoring: Set<String> = []
    public var normalise: (String) -> String = { $0 }

    public init(
        binary: String = "xl", setup: @escaping (KillPointHost) throws -> Void, command: @escaping (KillPointHost) -> [String],
        cleanUp: @escaping (KillPointHost, String) throws -> Void, partial: [(KillPointHost) -> [String]] = [],
        ignoring: Set<String> = [], normalise: @escaping (String) -> String = { $0 }
    ) {
        self.binary = binary
        self.setup = setup
        self.command = command
        self.cleanUp = cleanUp
        self.partial = partial
        self.ignoring = ignoring
        self.normalise = normalise
    }

    /// Runs every kill point.
    public func check(realXenstored: Bool) throws -> Report {
        guard let executable = KillPoints.binary(binary) else { throw XenstoredError("\(binary) is not built next to the tests") }
        var report = Report()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kill-points-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The uninterrupted command, to count its steps and to know where it and the cleanup end.
        let reference = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
        try setup(reference)
        let before = try reference.state(ignoring: ignoring, normalise: normalise)
        let arguments = command(reference)
        let name = ([binary] + arguments).joined(separator: " ")
        let (run, steps) = try KillPoints.steps(executable, arguments, environment: reference.environment)
        if run.status != 0 { report.failures.append("\(name): exit \(run.status): \(run.stderr)") }
        if steps.count < 2 { report.failures.append("\(name): traced \(steps.count) steps") }
        try cleanUp(reference, "\(name), uninterrupted")
        var ends = [before, try reference.state(ignoring: ignoring, normalise: normalise)]
        for stop in [nil] + partial {
            let host = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
            try setup(host)
            if let stop {
                let partialRun = try host.run(stop(host))
                if partialRun.status != 0 { report.failures.append("\(stop(host)): exit \(partialRun.status): \(partialRun.stderr)") }
            }
            try cleanUp(host, "\(name), partial run")
            ends.append(try host.state(ignoring: ignoring, normalise: normalise))
        }

        report.points = steps.count
        for (index, step) in steps.enumerated() {
            let context = "\(name) killed before step \(index + 1) (\(step))"
            let host = try KillPointHost(realXenstored: realXenstored, scratch: scratch)
            try setup(host)
            let killed = try KillPoints.kill(executable, command(host), at: index + 1, environment: host.environment)
            guard killed.killed else {
                report.failures.append("\(context): ended with status \(killed.status): \(killed.stderr)")
                continue
            }
            try cleanUp(host, context)
            let end = try host.state(ignoring: ignoring, normalise: normalise)
            if ends.contains(end) {
                report.cleaned += 1
            } else {
                report.failures.append("\(context): the cleanup left\n\(end)\nexpected one of\n\(ends.map(\.description).joined(separator: "\n--\n"))")
            }
        }
        return report
    }
}
