// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack
import XLConfig
import XenControl
import XenSys
import XenTypes

/// `xl monitor [--lock-fd N] DOMAIN`: the monitor `xl create` leaves behind, in the foreground; also gives a domain
/// whose monitor was stopped a new one. Not in upstream's xl.
struct MonitorCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch a domain and carry out its on_poweroff/on_reboot/on_watchdog/on_crash actions (what create leaves behind).",
        shouldDisplay: false)
    @Option(name: .customLong("lock-fd"), help: ArgumentHelp("The descriptor of the monitor lock create took (internal).", valueName: "N"))
    var lockDescriptor: Int32?
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

    func run(_ context: CommandContext) throws {
        let prefix = "monitor \(domain)"
        let toolstack = try context.toolstack()
        let info: DomainInfo
        do { info = try toolstack.findDomain(domain) } catch let error as ToolstackError { throw ToolstackError("\(prefix): \(error.message)") }
        guard info.id != .dom0 else { throw ToolstackError("\(prefix): domain 0 has no on_* actions to carry out") }
        let recorded = toolstack.recordedConfig(of: info.id)
        guard var config = recorded.config else { throw ToolstackError("\(prefix): \(recorded.problem ?? "no configuration"), so its on_* actions are unknown") }
        if let name = try toolstack.domainName(info.id) { config.name = name }
        let simulation = context.simulationDirectory
        let lock: ExclusiveFileLock
        if let lockDescriptor {
            do { lock = try ExclusiveFileLock.adopt(descriptor: lockDescriptor, path: DomainMonitor.lockPath(info.id, simulation: simulation)) } catch {
                throw ToolstackError("\(prefix): descriptor \(lockDescriptor) does not hold the monitor lock: \(error)")
            }
        } else {
            lock = try DomainMonitor.takeLock(info.id, simulation: simulation, prefix)
        }
        try context.finish()
        var monitor = DomainMonitor(
            sessions: HostSessions(globals: context.globals, environment: context.environment, output: context.output),
            domain: info.id, config: config, lock: lock)
        let status = monitor.run()
        if status != 0 { throw MonitorFailed() }
    }
}

/// The monitor stopped on an error it already logged.
struct MonitorFailed: Error, CustomStringConvertible {
    var description: String { "monitor: stopped after the error above" }
}
