// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Debian's real `xl` 4.17 as an oracle: `xl -N create` parses a config and prints libxl's JSON without
/// touching Xen. It runs under the fakexen shim (which answers libxenctrl's queries) next to a shimmed
/// real xenstored, since libxl opens xenstore when it starts.
public final class RealXL {
    /// The Debian xen-utils-4.17 binary.
    public static let binary = "/usr/lib/xen-4.17/bin/xl"

    /// Whether it can run here: the binary, the real xenstored and a C compiler for the shim.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) && Xenstored.isAvailable }

    /// Why ``isAvailable`` is false, for `XCTSkip`.
    public static let unavailableReason = "the real xl oracle needs \(binary) (apt-get install xen-utils-4.17), and " + Xenstored.unavailableReason

    /// One run: exit status and what it printed.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    private let xenstored: Xenstored
    private let library: String
    private let directory: URL

    /// Starts xenstored and checks that xl gets through a dry run of a minimal config; throws why not.
    public init() throws {
        xenstored = try Xenstored()
        library = try Xenstored.shimLibrary()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("real-xl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let probe = try dryRunCreate("name = \"probe\"\nkernel = \"/boot/Image\"\n")
        guard probe.status == 0, probe.stdout.contains("\"c_info\"") else {
            throw XenstoredError("\(Self.binary) -N create did not start (status \(probe.status)): \(probe.stderr)")
        }
    }

    deinit {
        xenstored.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `xl -N create FILE` on a file holding `config`; gives up after `timeout` seconds.
    public func dryRunCreate(_ config: String, timeout: Double = 20) throws -> Result {
        let file = directory.appendingPathComponent("guest-\(UUID().uuidString).cfg")
        try Data(config.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-N", "create", file.path]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library
        environment["XENSTORED_PATH"] = xenstored.socketPath
        process.environment = environment
        let stdout = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderr = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw XenstoredError("\(Self.binary) -N create did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Result(status: process.terminationStatus, stdout: read(stdout), stderr: read(stderr))
    }
}
