// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenTypes

/// An exclusive `flock` on a file, taken without waiting and held until ``release()``, deinit, or the death of the
/// last process holding its descriptor; the file records the holder's pid. Used for "one monitor per domain".
public final class ExclusiveFileLock {
    /// The open descriptor holding the lock (close-on-exec; a child gets it only through ``DetachedProcess``).
    public private(set) var descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock on `path` (creating the file and its directory); nil when another process holds it.
    public static func take(_ path: String) throws(Errno) -> ExclusiveFileLock? {
        try LocalFiles.makeParentDirectories(of: path)
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Errno.current }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let failure = Errno.current
            close(descriptor)
            if failure == .EAGAIN { return nil }
            throw failure
        }
        return ExclusiveFileLock(descriptor: descriptor, path: path)
    }

    /// Adopts a descriptor that already holds the lock (inherited from the process that took it).
    public static func adopt(descriptor: Int32, path: String) throws(Errno) -> ExclusiveFileLock {
        // A descriptor that does not hold the lock gets it here, or the call fails: never two holders.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            throw Errno.current
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return ExclusiveFileLock(descriptor: descriptor, path: path)
    }

    /// Records `pid` as the holder.
    public func record(pid: Int32) {
        let text = Array("\(pid)\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The pid the file of a held lock records; nil when unreadable.
    public static func holder(_ path: String) -> Int32? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 15) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").first ?? "")
    }

    /// Lets go of the lock (the file stays, so that the next holder locks the same inode).
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
