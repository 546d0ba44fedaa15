// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The reference device-tree tools from `device-tree-compiler`: `dtc`, `fdtoverlay`, `fdtget`.
public enum DeviceTreeTools {
    /// Whether `dtc`, `fdtoverlay` and `fdtget` are installed.
    public static var isAvailable: Bool {
        ["dtc", "fdtoverlay", "fdtget"].allSatisfy { tool in
            ["/usr/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
        }
    }

    /// Compiles DTS source (`/plugin/` overlays included) with `dtc -@`.
    public static func compile(_ source: String, symbols: Bool = true) throws -> [UInt8] {
        let directory = try scratch()
        let input = directory.appendingPathComponent("in.dts")
        let outputFile = directory.appendingPathComponent("out.dtb")
        try source.write(to: input, atomically: true, encoding: .utf8)
        var arguments = ["-q", "-I", "dts", "-O", "dtb", "-o", outputFile.path, input.path]
        if symbols { arguments.insert("-@", at: 0) }
        try run("dtc", arguments)
        return Array(try Data(contentsOf: outputFile))
    }

    /// A valid overlay blob of exactly `size` bytes (at least 512): a device node whose `filler`
    /// property holds pseudo-random bytes from `seed`, padded to `size` with `dtc -S`.
    public static func overlay(ofSize size: Int, seed: UInt64 = 1) throws -> [UInt8] {
        func source(_ filler: Int) -> String {
            var state = seed
            let bytes = (0..<filler).map { _ -> String in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let hex = String(UInt8(truncatingIfNeeded: state >> 56), radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }
            return "/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/soc\"; __overlay__ { filler@0 { compatible = \"example,filler\"; filler = [\(bytes.joined(separator: " "))]; }; }; }; };"
        }
        let base = try compile(source(0), symbols: false).count
        let filler = max(0, size - base - 8)
        let directory = try scratch()
        let input = directory.appendingPathComponent("in.dts")
        let output = directory.appendingPathComponent("out.dtb")
        try source(filler).write(to: input, atomically: true, encoding: .utf8)
        try run("dtc", ["-q", "-S", String(size), "-I", "dts", "-O", "dtb", "-o", output.path, input.path])
        let blob = Array(try Data(contentsOf: output))
        guard blob.count == size else { throw Failure(description: "dtc made \(blob.count) bytes, not \(size)") }
        return blob
    }

    /// Merges overlays into a base blob with `fdtoverlay`.
    public static func overlay(base: [UInt8], _ overlays: [[UInt8]]) throws -> [UInt8] {
        let directory = try scratch()
        let basePath = directory.appendingPathComponent("base.dtb")
        let outputPath = directory.appendingPathComponent("merged.dtb")
        try Data(base).write(to: basePath)
        var paths: [String] = []
        for (index, blob) in overlays.enumerated() {
            let path = directory.appendingPathComponent("ov\(index).dtbo")
            try Data(blob).write(to: path)
            paths.append(path.path)
        }
        try run("fdtoverlay", ["-i", basePath.path, "-o", outputPath.path] + paths)
        return Array(try Data(contentsOf: outputPath))
    }

    /// `fdtget -t TYPE blob NODE PROPERTY`, or `fdtget -l`/`-p` when `property` is nil and `list` is given.
    public static func get(_ blob: [UInt8], _ arguments: [String]) throws -> String {
        let directory = try scratch()
        let path = directory.appendingPathComponent("tree.dtb")
        try Data(blob).write(to: path)
        return try run("fdtget", [path.path] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Decompiles a blob to DTS with `dtc -I dtb -O dts`.
    public static func decompile(_ blob: [UInt8]) throws -> String {
        let directory = try scratch()
        let path = directory.appendingPathComponent("tree.dtb")
        try Data(blob).write(to: path)
        return try run("dtc", ["-q", "-I", "dtb", "-O", "dts", path.path])
    }

    /// A fresh temporary directory.
    public static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xl-swift-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A tool failed: its name, arguments and what it printed on stderr.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
