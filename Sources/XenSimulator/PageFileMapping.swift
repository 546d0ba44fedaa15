// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Page files mapped side by side into one contiguous region with `MAP_SHARED`, so that every
/// process mapping the same files sees the same bytes: the simulator's grant pages.
final class PageFileMapping {
    let memory: UnsafeMutableRawBufferPointer
    private var mapped: Bool

    /// Maps each file (exactly `pageSize` bytes) at its place in a fresh region.
    init(files: [String], pageSize: Int, writable: Bool) throws(SimulatorError) {
        let length = files.count * pageSize
        guard length > 0 else { throw SimulatorError("no pages to map") }
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        // Reserve the whole range first, then put each file over its page.
        guard let region = mmap(nil, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), region != MAP_FAILED else {
            throw SimulatorError("cannot reserve \(length) bytes: \(String(cString: strerror(errno)))")
        }
        for (index, file) in files.enumerated() {
            let descriptor = open(file, writable ? O_RDWR : O_RDONLY)
            let page = descriptor < 0 ? MAP_FAILED : mmap(region + index * pageSize, pageSize, protection, MAP_SHARED | MAP_FIXED, descriptor, 0)
            let failure = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            guard page != MAP_FAILED else {
                munmap(region, length)
                throw SimulatorError("cannot map grant page \(file): \(failure)")
            }
        }
        memory = UnsafeMutableRawBufferPointer(start: region, count: length)
        mapped = true
    }

    /// Unmaps the region; later calls do nothing.
    func unmap() {
        guard mapped, let base = memory.baseAddress else { return }
        mapped = false
        munmap(base, memory.count)
    }

    deinit { unmap() }
}
