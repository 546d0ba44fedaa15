// SPDX-License-Identifier: Apache-2.0
import Foundation

/// `Scripts/get_overlay.sh` with `get_overlay`, run as a guest would, against a directory that
/// stands in for configfs: `CONFIGFS`, `FIRMWARE` and `FPGA_FLAGS` point into a scratch
/// directory, and an `rmdir` earlier in `PATH` does what configfs does when an overlay item is
/// removed (its attribute files `dtbo`, `path` and `status` go with it).
public final class GuestScript: Sendable {
    /// The scratch directory holding everything below.
    public let root: URL
    public let configfs: URL
    public let firmware: URL
    public let flags: URL

    /// The repository's `Scripts/get_overlay.sh`.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/get_overlay.sh").path

    /// The `get_overlay` executable SwiftPM built next to the test bundle.
    public static var binary: String? {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("get_overlay")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url.path : nil
    }

    public init() throws {
        root = try DeviceTreeTools.scratch()
        configfs = root.appendingPathComponent("configfs")
        firmware = root.appendingPathComponent("firmware")
        flags = root.appendingPathComponent("fpga0-flags")
        for directory in [configfs.appendingPathComponent("device-tree/overlays"), firmware, root.appendingPathComponent("bin")] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        // The fpga manager's flags attribute exists before anyone writes it, as in sysfs.
        guard FileManager.default.createFile(atPath: flags.path, contents: Data("0\n".utf8)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: flags.path])
        }
        let rmdir = root.appendingPathComponent("bin/rmdir")
        try """
            #!/bin/sh
            # configfs: removing an overlay item removes its attributes with it.
            for item in "$@"; do rm -f "$item/dtbo" "$item/path" "$item/status"; done
            exec /bin/rmdir "$@"

            """.write(to: rmdir, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: rmdir.path)
    }

    /// `base` with the script's variables and the configfs `rmdir` in front of `PATH`.
    public func environment(_ base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base
        environment["CONFIGFS"] = configfs.path
        environment["FIRMWARE"] = firmware.path
        environment["FPGA_FLAGS"] = flags.path
        environment["WORK"] = root.path
        if let binary = Self.binary { environment["GET_OVERLAY"] = binary }
        environment["PATH"] = root.appendingPathComponent("bin").path + ":" + (base["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    /// The applied overlay item `name`, as the script left it.
    public func item(_ name: String) -> URL {
        configfs.appendingPathComponent("device-tree/overlays/\(name)")
    }

    /// Starts the script with `arguments`; collect its result with ``Run/wait()``.
    public func start(_ arguments: [String], environment: [String: String]? = nil) throws -> Run {
        try Run(executable: "/bin/sh", arguments: [Self.script] + arguments, environment: environment ?? self.environment())
    }

    /// Runs the script to its end.
    public func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Run.Result {
        try start(arguments, environment: environment).wait()
    }

    /// A started child process and its output.
    public final class Run {
        /// How it ended and what it printed.
        public struct Result {
            public var status: Int32
            public var stdout: String
            public var stderr: String
        }

        private let process = Process()
        private let out = Pipe()
        private let err = Pipe()

        public init(executable: String, arguments: [String], environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = out
            process.standardError = err
            try process.run()
            // A guest that hangs (a request whose reply never comes) fails its test instead of stopping the suite.
            // Its children go first: a script's hung child would keep the output pipes open.
            let process = self.process
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.limit) {
                guard process.isRunning else { return }
                let children = Process()
                children.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
                children.arguments = ["-KILL", "-P", String(process.processIdentifier)]
                try? children.run()
                children.waitUntilExit()
                kill(process.processIdentifier, SIGKILL)
            }
        }

        /// Seconds a guest process may run before it is killed.
        public static let limit = 120.0

        /// The process id, to end it early.
        public var processIdentifier: Int32 { process.processIdentifier }

        /// Waits for the end; the output is read to its end first, so a chatty child cannot block.
        public func wait() -> Result {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}
