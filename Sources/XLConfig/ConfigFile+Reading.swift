// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import XenTypes

/// A config file that could not be read, or is larger than the limits allow.
public struct ConfigReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Errno?
    public var message: String

    /// `path: message`, on one line.
    public var description: String { "\(path): \(message)" }
}

extension ConfigFile {
    /// Reads and parses the file at `path`, refusing files larger than `limits.maxBytes`.
    public static func load(_ path: String, limits: ConfigLimits = .standard) throws -> ConfigFile {
        let bytes = try Self.readBytes(path, limit: limits.maxBytes)
        return try ConfigFile(parsing: bytes, source: path, limits: limits)
    }

    private static func readBytes(_ path: String, limit: Int) throws(ConfigReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= limit else {
                throw ConfigReadError(
                    path: path, errno: nil, message: "too large: config files of at most \(limit) bytes are accepted")
            }
        }
    }

    private static func failure(_ path: String, _ what: String) -> ConfigReadError {
        let code = Errno(rawValue: errno)
        return ConfigReadError(path: path, errno: code, message: "\(what): \(code.message)")
    }
}
