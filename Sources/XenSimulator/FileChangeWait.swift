// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Wakes a waiter when a file in a directory is replaced by a rename (inotify `IN_MOVED_TO`), as
/// atomic writes do. The watch is set up once, so a change made between two waits is not lost.
final class FileChangeWait {
    private let descriptor: Int32
    private let name: String

    /// Watches `directory` for renames onto `name`; `nil` when inotify is not available.
    init?(directory: String, name: String) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        guard inotify_add_watch(descriptor, directory, UInt32(IN_MOVED_TO)) >= 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.name = name
    }

    deinit { close(descriptor) }

    /// Waits up to `timeout` seconds for `name` to be replaced (other renames in the directory are
    /// read and waited past).
    func wait(timeout: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, min(timeout, 3600)) * 1000))
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&entry, 1, max(1, milliseconds)) > 0 else { return }
            if drain() { return }
        }
    }

    /// Reads every queued event; whether one names the file.
    private func drain() -> Bool {
        var seen = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return seen }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let length = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)) }
                let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix { $0 != 0 }
                if String(decoding: nameBytes, as: UTF8.self) == name { seen = true }
                offset += header + length
            }
        }
    }
}
