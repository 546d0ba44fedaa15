// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Toolstack
import XLConfig
import XenSys
import XenTypes

/// The process upstream's `xl create` leaves behind: it waits for its domain to shut down or die and carries out
/// the domain's `on_poweroff`, `on_reboot`, `on_watchdog` and `on_crash` actions, for as long as the domain (or
/// the one a restart made) exists. At most one watches a domain: it holds the domain's monitor lock.
struct DomainMonitor {
    let sessions: HostSessions
    var domain: DomainID
    var config: DomainConfig
    var lock: ExclusiveFileLock

    /// The lock file of a domain's monitor: `/run/xen/xl-monitor-<domid>.lock`, or `DIR/monitors/<domid>.lock`
    /// on a simulated host.
    static func lockPath(_ domain: DomainID, simulation: String?) -> String {
        if let simulation { return "\(simulation)/monitors/\(domain).lock" }
        return "/run/xen/xl-monitor-\(domain).lock"
    }

    /// upstream's log: `/var/log/xen/xl-NAME.log`, or `DIR/log/xl-NAME.log` on a simulated host.
    static func logPath(_ name: String, simulation: String?) -> String {
        "\(simulation.map { "\($0)/log" } ?? "/var/log/xen")/xl-\(name).log"
    }

    /// Takes the monitor lock of `domain`; a lock another process holds is refused in one line.
    static func takeLock(_ domain: DomainID, simulation: String?, _ prefix: String) throws -> ExclusiveFileLock {
        let path = lockPath(domain, simulation: simulation)
        let lock: ExclusiveFileLock?
        do { lock = try ExclusiveFileLock.take(path) } catch {
            throw ToolstackError("\(prefix): cannot take the monitor lock \(path): \(error)")
        }
        guard let lock else {
            let holder = ExclusiveFileLock.holder(path).map { " (pid \($0))" } ?? ""
            throw ToolstackError("\(prefix): domain \(domain) already has a monitor\(holder), holding \(path); a second one is not started")
        }
        lock.record(pid: DetachedProcess.currentPID)
        return lock
    }

    private func say(_ line: String) { sessions.output.error(line) }

    /// Waits and acts until nothing is left to watch; returns the exit status.
    mutating func run() -> Int32 {
        say("Waiting for domain \(config.name) (domid \(domain)) to die [pid \(DetachedProcess.currentPID)]")
        do {
            let watcher = try sessions.releaseWatcher(token: "xl-monitor")
            while true {
                try sessions.waitForRelease(watcher)
                guard sessions.hostExists else {
                    say("the simulated host in \(sessions.simulationDirectory ?? "") is gone; stopping")
                    return 0
                }
                var known = config
                let id = domain
                let step = try sessions.visit { toolstack in
                    try toolstack.monitorStep(id, config: &known, log: { self.say($0) })
                }
                config = known
                switch step {
                case .wait: continue
                case .exit: return 0
                case .restarted(let new):
                    let next = try Self.takeLock(new, simulation: sessions.simulationDirectory, "monitor")
                    lock.release()
                    lock = next
                    domain = new
                    say("Waiting for domain \(config.name) (domid \(domain)) to die [pid \(DetachedProcess.currentPID)]")
                }
            }
        } catch {
            say(String(describing: error))
            return 1
        }
    }
}
