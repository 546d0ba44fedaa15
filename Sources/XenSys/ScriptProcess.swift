// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenTypes

/// A program run to its end with a time limit, its stdout and stderr captured together (the hotplug scripts).
public enum ScriptProcess {
    /// How a run ended: the exit status (nil when killed by a signal), whether the limit killed it, and the
    /// last `keep` bytes it wrote.
    public struct Result: Sendable {
        public var status: Int32?
        public var timedOut: Bool
        public var output: String
    }

    /// Runs `executable` with `arguments` (after argv[0], which is the executable) and exactly `environment`,
    /// stdin from `/dev/null`; after `timeout` seconds it gets SIGKILL.
    public static func run(_ executable: String, arguments: [String], environment: [String: String], timeout: Double,
                           keep: Int = 4096) throws(Errno) -> Result {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Errno.current }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        var args = argv + [nil]
        var env = envp + [nil]
        let spawned = args.withUnsafeMutableBufferPointer { a in
            env.withUnsafeMutableBufferPointer { e in posix_spawn(&pid, executable, &actions, nil, a.baseAddress!, e.baseAddress!) }
        }
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { throw Errno(rawValue: spawned) }
        var output: [UInt8] = []
        var timedOut = false
        let deadline = monotonicSeconds() + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var descriptor = pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 { if errno == EINTR { continue } else { break } }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[..<count]
            if output.count > keep { output.removeFirst(output.count - keep) }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : nil, timedOut: timedOut, output: String(decoding: output, as: UTF8.self))
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
