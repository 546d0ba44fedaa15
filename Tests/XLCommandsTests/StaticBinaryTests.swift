// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// The `xl` linked statically (`XL_STATIC_BINARY`, built by Scripts/test.sh), against the real C xenstored.
///
/// Debian's `libxenstore.a` is built without the reader thread that its shared library starts at the first watch.
/// Then a watch event that arrives ahead of a reply fails the request and closes the connection; on real Xen this
/// made every device state wait and every `shutdown -w` fail. The commands that watch and write must work here.
final class StaticBinaryTests: XCTestCase {
    private struct Run {
        var status: Int32
        var stderr: String
    }

    private func run(_ binary: String, _ arguments: [String], _ environment: [String: String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stderr: String(decoding: data, as: UTF8.self))
    }

    func testDevicesAndShutdownWaitOnAStaticBinary() throws {
        guard let binary = ProcessInfo.processInfo.environment["XL_STATIC_BINARY"] else {
            throw XCTSkip("XL_STATIC_BINARY is not set (Scripts/test.sh builds a static xl)")
        }
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        let daemon = try Xenstored()
        defer { daemon.stop() }
        let scratch = try DeviceTreeTools.scratch()
        let host = scratch.appendingPathComponent("host").path
        let kernel = scratch.appendingPathComponent("Image")
        try Data(CreateFixtures.kernel).write(to: kernel)
        let config = scratch.appendingPathComponent("g.cfg")
        try Data("name = \"g\"\nkernel = \"\(kernel.path)\"\nmemory = 64\n".utf8).write(to: config)
        let environment = ["XENSTORED_PATH": daemon.socketPath, "PATH": "/usr/bin:/bin"]
        let steps: [[String]] = [
            ["create", "-e", config.path],
            ["network-attach", "g"],
            ["block-attach", "g", "\(kernel.path),raw,xvdb,r"],
            ["block-detach", "g", "xvdb"],
            ["network-detach", "g", "0"],
            ["shutdown", "-w", "g"],
        ]
        for step in steps {
            let result = try run(binary, ["--simulate", host] + step, environment)
            XCTAssertEqual(result.status, 0, "xl \(step.joined(separator: " ")): \(result.stderr)")
        }
    }
}
