// SPDX-License-Identifier: Apache-2.0
import Foundation
import XenStoreClient

/// Kill-point testing of the built `xl` and `init-dom0less`: the steps of a command as the simulator
/// traces them (`XL_SIMULATE_STEPS`), a run killed with SIGKILL at one of them (`XL_SIMULATE_KILL_AT`),
/// and the simulated host's state (Xen's part of `host.json`, the xenstore tree) to compare.
public enum KillPoints {
    /// How one run of a binary ended.
    public struct Run: Sendable {
        public var status: Int32
        /// Whether it died of SIGKILL.
        public var killed: Bool
        public var stdout: String
        public var stderr: String
    }

    /// What a host holds, normalised for comparison.
    public struct State: Equatable, CustomStringConvertible {
        /// `host.json` without the domid rover and injected failures, as sorted-key JSON.
        public var hypervisor: String
        /// The xenstore tree, one line per node (``XenStoreDump``).
        public var xenstore: [String]
        public var description: String { hypervisor + "\n" + xenstore.joined(separator: "\n") }
    }

    /// The binary SwiftPM built next to the test bundle, `nil` when missing.
    public static func binary(_ name: String) -> URL? {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// Runs `executable` with `arguments` and `environment` added to this process's.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kill-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        guard FileManager.default.createFile(atPath: out.path, contents: nil), FileManager.default.createFile(atPath: err.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            killed: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "", stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Runs the command to the end with its steps traced; returns the run and the step names in order.
    public static func steps(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> (run: Run, steps: [String]) {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("kill-steps-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let run = try run(executable, arguments, environment: environment.merging(["XL_SIMULATE_STEPS": trace]) { $1 })
        let text = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        let steps = text.split(separator: "\n").map { line in String(line.split(separator: " ", maxSplits: 1).last ?? "") }
        return (run, steps)
    }

    /// Runs the command killed just before step `step` (1-based).
    public static func kill(_ executable: URL, _ arguments: [String], at step: Int, environment: [String: String]) throws -> Run {
        try run(executable, arguments, environment: environment.merging(["XL_SIMULATE_KILL_AT": String(step)]) { $1 })
    }

    /// The state of the host in `directory` with its xenstore `xenstore`; `normalise` rewrites each
    /// xenstore line and the hypervisor JSON (for values that differ run to run, such as random uuids),
    /// and keys named in `ignoring` are dropped from the hypervisor JSON at any depth, as are `bootTime` (when each
    /// host booted, which no command changes) and each domain's random `handle` (its uuid, which differs host to host).
    public static func state(
        _ directory: String, xenstore: any XenStore, ignoring: Set<String> = [], normalise: (String) -> String = { $0 }
    ) throws -> State {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/host.json"))
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !ignoring.contains($0.key) && $0.key != "bootTime" && $0.key != "handle" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        object["nextDomainID"] = nil
        object["injectedFailures"] = nil
        let json = try JSONSerialization.data(withJSONObject: strip(object), options: [.sortedKeys])
        return State(
            hypervisor: normalise(String(decoding: json, as: UTF8.self)),
            xenstore: try XenStoreDump.lines(xenstore, "/").map(normalise).sorted())
    }
}
