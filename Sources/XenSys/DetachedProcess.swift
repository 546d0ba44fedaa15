// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenTypes

/// A background process started as a daemon: in a session of its own (no controlling terminal, so closing the
/// terminal sends it no `SIGHUP`), stdin from `/dev/null`, stdout and stderr appended to a log file.
public enum DetachedProcess {
    /// glibc's `POSIX_SPAWN_SETSID`.
    static let setsid: Int16 = 0x80
    /// The descriptor number a passed descriptor gets in the child.
    public static let passedDescriptor: Int32 = 3

    /// Starts `executable` with `arguments` and `environment`; `descriptor`, when given, is the child's descriptor 3.
    /// Returns the child's pid. The caller does not wait for it.
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String], log: String,
                             passing descriptor: Int32?) throws(Errno) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let descriptor { posix_spawn_file_actions_adddup2(&actions, descriptor, passedDescriptor) }
        posix_spawnattr_setflags(&attributes, setsid)
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        var args = argv + [nil]
        var env = envp + [nil]
        let result = args.withUnsafeMutableBufferPointer { a in
            env.withUnsafeMutableBufferPointer { e in posix_spawn(&pid, executable, &actions, &attributes, a.baseAddress!, e.baseAddress!) }
        }
        guard result == 0 else { throw Errno(rawValue: result) }
        return pid
    }

    /// This process's pid.
    public static var currentPID: Int32 { getpid() }

    /// The path of the running executable (`/proc/self/exe`); nil when it cannot be read.
    public static var currentExecutable: String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/self/exe", &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
