// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XLCommands
import XenSimulator

/// Runs `xl` in process against a simulated host in a fresh directory, capturing its output.
final class XLRunner {
    let directory: String
    let scratch: URL
    var environment: [String: String]
    /// Whether `create` leaves a monitor behind: then the runs hand `xl` the built binary to start it from. Off by
    /// default, so in-process creates run as `create -e` (no process left behind) unless a test is about the monitor.
    var monitors = false
    /// The "created a new simulated ... host" lines the runs printed first on stderr, taken out of their results
    /// so that tests compare only what the command itself said.
    private(set) var announcements: [String] = []

    /// The result of one run.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `xl` executable SwiftPM built next to the test bundle.
    static var binary: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let url = directory.appendingPathComponent("xl")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    init() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        scratch = try DeviceTreeTools.scratch()
        directory = scratch.appendingPathComponent("host").path
        environment = ["XL_SIMULATE": directory]
    }

    /// A runner whose simulated host keeps its xenstore in a real C xenstored started for it; skips where there is none.
    static func onRealXenstored() throws -> (xl: XLRunner, daemon: Xenstored) {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        let daemon = try Xenstored()
        let xl = try XLRunner()
        xl.environment["XENSTORED_PATH"] = daemon.socketPath
        return (xl, daemon)
    }

    @discardableResult
    func callAsFunction(_ arguments: String...) -> Result { run(arguments) }

    func run(_ arguments: [String]) -> Result {
        let lock = NSLock()
        var out = ""
        var err = ""
        let output = Output(
            stdout: { text in lock.withLock { out += text } },
            stderr: { text in lock.withLock { err += text } })
        var arguments = arguments
        var cut = 0
        while cut < arguments.count, arguments[cut].hasPrefix("-") {
            cut += ["--simulate", "--host-dtb", "--xen-version", "--xen-flavour"].contains(arguments[cut]) ? 2 : 1
        }
        if !monitors, cut < arguments.count, arguments[cut] == "create" { arguments.insert("-e", at: cut + 1) }
        let status = XLMain.run(arguments, environment: environment, output: output, executable: monitors ? Self.binary?.path : nil)
        if err.hasPrefix("created a new simulated "), let end = err.firstIndex(of: "\n") {
            announcements.append(String(err[..<end]))
            err = String(err[err.index(after: end)...])
        }
        return Result(status: status, stdout: out, stderr: err)
    }

    /// Compiles DTS into a file in the scratch directory; returns its path.
    func dtbo(_ name: String, _ source: String) throws -> String {
        try file(name, DeviceTreeTools.compile(source))
    }

    /// Writes bytes to a file in the scratch directory; returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The simulated host's files, to show that a failed command changed nothing. xenstore.json's count of the
    /// `@releaseDomain` events xenstored fired is left out: a create undone after its introduction fired one.
    func snapshot() -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["host.json", "xenstore.json"] {
            files[name] = FileManager.default.contents(atPath: directory + "/" + name)
        }
        if let data = files["xenstore.json"] {
            let text = String(decoding: data, as: UTF8.self)
            files["xenstore.json"] = Data(text.replacingOccurrences(of: #""releases":[0-9]+,"#, with: "", options: .regularExpression).utf8)
        }
        return files
    }

    /// Opens the simulated host for direct inspection or set-up; it is saved and closed after `body`.
    func withHost<T>(_ body: (SimulatedHost) throws -> T) throws -> T {
        let host = try SimulatedHost.open(directory: directory)
        defer { host.close() }
        let result = try body(host)
        try host.save()
        return result
    }
}
