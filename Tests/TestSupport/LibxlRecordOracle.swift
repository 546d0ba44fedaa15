// SPDX-License-Identifier: Apache-2.0
import Foundation

/// libxl itself reading a domain config record (a `userdata-d.*.libxl-json` file), as Debian's `xl list -l` and
/// `xl shutdown` read it: a small C program over libxenlight 4.17, run under the fakexen shim next to a shimmed
/// real xenstored (libxl opens Xen and xenstore when it starts).
public final class LibxlRecordOracle {
    /// What libxl made of a record.
    public struct Reading: Sendable {
        /// `c_info.type` as `libxl_domain_type_to_string` spells it.
        public var createType: String
        /// `b_info.type`, which libxl takes from the record's `type.*` key; `invalid` when it has none.
        public var buildType: String
        /// The record as libxl writes it back.
        public var json: String
    }

    private static let program: Result<String, XenstoredError> =
        Xenstored.compile("libxl-record", into: "libxl-record", ["-O2"], libraries: ["-lxenlight", "-lxentoollog"])

    private let xenstored: Xenstored

    /// Starts the shimmed xenstored and builds the program; throws why either cannot be done.
    public init() throws {
        _ = try Self.program.get()
        xenstored = try Xenstored()
    }

    deinit { xenstored.stop() }

    /// libxl's reading of the record file at `path`; throws with libxl's complaint when it cannot parse it.
    public func read(_ path: String) throws -> Reading {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.program.get())
        process.arguments = [path]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = try Xenstored.shimLibrary()
        environment["XENSTORED_PATH"] = xenstored.socketPath
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let end = text.firstIndex(of: "\n") else {
            throw XenstoredError("libxl could not read \(path) (status \(process.terminationStatus)): \(complaint)")
        }
        let types = text[..<end].split(separator: " ").map(String.init)
        guard types.count == 2 else { throw XenstoredError("libxl-record printed \(text[..<end])") }
        return Reading(createType: types[0], buildType: types[1], json: String(text[text.index(after: end)...]))
    }
}
