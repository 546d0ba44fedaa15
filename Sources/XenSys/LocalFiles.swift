// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenTypes

/// Whole-file reads, rename-safe replacement and removal with POSIX calls, for files other toolstacks read too
/// (libxl's userdata records).
public final class LocalFiles {
    public init() {}

    /// The file's bytes; nil when it does not exist.
    public func read(_ path: String) throws(Errno) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw Errno.current
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Errno.current }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Writes `bytes` to `temporary` (created with `mode`, truncated), then renames it to `path`, as libxl's
    /// `libxl__userdata_store` does: a reader sees the old file or the new one, never part of one. The directory
    /// is created (mode 0755) when missing; a failure removes `temporary` again.
    public func replace(_ path: String, via temporary: String, with bytes: [UInt8], mode: UInt32) throws(Errno) {
        try Self.makeParentDirectories(of: path)
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else { throw Errno.current }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                let failure = Errno.current
                close(descriptor)
                unlink(temporary)
                throw failure
            }
            offset += written
        }
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let failure = Errno.current
            unlink(temporary)
            throw failure
        }
    }

    /// Removes the file; one that does not exist is not an error.
    public func remove(_ path: String) throws(Errno) {
        guard unlink(path) == 0 || errno == ENOENT else { throw Errno.current }
    }

    /// Creates the directories above `path` that are missing (mode 0755), relative to the working directory when
    /// `path` is relative.
    static func makeParentDirectories(of path: String) throws(Errno) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path[..<slash].split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw Errno.current }
        }
    }
}
