// SPDX-License-Identifier: Apache-2.0
import Glibc

/// An exclusive `flock` on a file, held until ``unlock()`` or deinit; commands on the same
/// simulated host wait for each other.
final class DirectoryLock {
    private var descriptor: Int32

    /// Opens (creating) `path` and waits for the lock.
    init(path: String) throws(SimulatorError) {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SimulatorError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                throw SimulatorError("cannot lock \(path): \(message)")
            }
        }
    }

    func unlock() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
