// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Toolstack
import XenSys
import XenTypes

/// How `xl create` leaves the monitor behind, as upstream's `do_daemonize` does: it takes the domain's monitor
/// lock, starts `xl monitor --lock-fd 3 DOMID` again from its own executable in a session of its own, with the lock's
/// descriptor, stdin from `/dev/null` and its output appended to the domain's log, and returns.
enum MonitorLauncher {
    /// The log file `create` will use, with its directory made; refused in one line before anything is created.
    static func prepareLog(_ name: String, simulation: String?, _ prefix: String) throws -> String {
        let path = DomainMonitor.logPath(name, simulation: simulation)
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ToolstackError("\(prefix): cannot create the log directory \(directory) for the domain's monitor")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        guard existed || FileManager.default.createFile(atPath: path, contents: nil), FileManager.default.isWritableFile(atPath: path) else {
            throw ToolstackError("\(prefix): cannot write the monitor's log \(path)")
        }
        return path
    }

    /// Starts the monitor of `domain`; returns its pid.
    static func launch(_ domain: DomainID, log: String, executable: String, context: CommandContext, _ prefix: String) throws -> Int32 {
        let lock = try DomainMonitor.takeLock(domain, simulation: context.simulationDirectory, prefix)
        var arguments: [String] = Array(repeating: "-v", count: context.globals.verbose)
        // The monitor runs from /, so the paths it is given are absolute.
        if let directory = context.simulationDirectory { arguments += ["--simulate", directory] }
        if let tree = context.globals.host.hostDTB { arguments += ["--host-dtb", CommandContext.absolute(tree)] }
        arguments += ["monitor", "--lock-fd", String(DetachedProcess.passedDescriptor), String(domain.rawValue)]
        let environment = context.environment.filter { !HostSessions.commandOnly.contains($0.key) }
        let pid: Int32
        do { pid = try DetachedProcess.spawn(executable, arguments: arguments, environment: environment, log: log, passing: lock.descriptor) } catch {
            throw ToolstackError("\(prefix): domain \(domain) is running, but its monitor could not be started (\(executable): \(error)); "
                + "its on_poweroff, on_reboot, on_watchdog and on_crash actions will not be carried out (xl monitor \(domain) starts one)")
        }
        lock.record(pid: pid)
        // The child holds the lock through its copy of the descriptor.
        lock.release()
        return pid
    }
}
