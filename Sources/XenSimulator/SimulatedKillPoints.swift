// SPDX-License-Identifier: Apache-2.0
import Glibc

/// The steps of one simulated command (every hypercall, every xenstore request that changes the
/// store, the end of the command), traced to a file and optionally ended by SIGKILL at one of them.
///
/// `XL_SIMULATE_STEPS=FILE` appends `N NAME` for each step; `XL_SIMULATE_KILL_AT=N` (the Nth step),
/// `NAME` or `NAME#K` (its Kth occurrence) kills the process just before that step runs. Xen's state
/// outlives a killed toolstack, so `host.json` is saved first; nothing else runs (no defer, no undo).
public final class SimulatedKillPoints {
    /// Where the process dies: a step number, or a step name and its occurrence.
    enum Target: Equatable {
        case number(Int)
        case name(String, occurrence: Int)
    }

    private let target: Target?
    private let tracePath: String?
    private var count = 0
    private var occurrences: [String: Int] = [:]
    /// Saves what Xen holds, just before the kill.
    var beforeKill: () -> Void = {}

    /// The kill points asked for in `environment`; `nil` when it asks for none.
    public init?(environment: [String: String]) throws(SimulatorError) {
        let spec = environment["XL_SIMULATE_KILL_AT"].flatMap { $0.isEmpty ? nil : $0 }
        let trace = environment["XL_SIMULATE_STEPS"].flatMap { $0.isEmpty ? nil : $0 }
        guard spec != nil || trace != nil else { return nil }
        self.tracePath = trace
        guard let spec else {
            self.target = nil
            return
        }
        if let number = Int(spec), number > 0 {
            self.target = .number(number)
            return
        }
        let parts = spec.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let occurrence = parts.count == 2 ? Int(parts[1]) : 1
        guard !parts[0].isEmpty, let occurrence, occurrence > 0 else {
            throw SimulatorError("XL_SIMULATE_KILL_AT=\(spec): expected a step number, a step name, or NAME#N (see `XL_SIMULATE_STEPS`)")
        }
        self.target = .name(String(parts[0]), occurrence: occurrence)
    }

    /// Counts one step; traces it, and kills the process when it is the target.
    public func reached(_ name: String) {
        count += 1
        let occurrence = (occurrences[name] ?? 0) + 1
        occurrences[name] = occurrence
        if let tracePath { Self.append("\(count) \(name)\n", to: tracePath) }
        switch target {
        case .number(let number) where number == count: die()
        case .name(let wanted, let k) where wanted == name && k == occurrence: die()
        default: break
        }
    }

    private func die() {
        beforeKill()
        kill(getpid(), SIGKILL)
    }

    private static func append(_ line: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
