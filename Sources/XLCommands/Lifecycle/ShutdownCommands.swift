// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack
import XenControl
import XenTypes

/// `xl shutdown [-a] [-w] [-F] DOMAIN`.
struct ShutdownCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown", abstract: "Ask a domain's guest to shut down (PV control node; -F: the hypervisor when it cannot answer).")
    @OptionGroup var options: ShutdownOptions

    func run(_ context: CommandContext) throws { try options.run(.poweroff, context) }
}

/// `xl reboot [-a] [-w] [-F] DOMAIN`.
struct RebootCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "reboot", abstract: "Ask a domain's guest to reboot; its monitor then creates it again (on_reboot).")
    @OptionGroup var options: ShutdownOptions

    func run(_ context: CommandContext) throws { try options.run(.reboot, context) }
}

/// The options and the run shared by `shutdown` and `reboot`, as upstream's `main_shutdown_or_reboot`.
struct ShutdownOptions: ParsableArguments {
    @Flag(name: [.customShort("a"), .customLong("all")], help: "Every domain but dom0 that has not shut down yet.") var all = false
    @Flag(name: [.customShort("w"), .customLong("wait")], help: "Wait until the domain has shut down or is gone; twice (-ww): until it is gone.")
    var wait: Int
    @Flag(name: .customShort("F"), help: "When the guest cannot answer (no PV drivers, or paused), shut it down through the hypervisor (SCHEDOP_remote_shutdown).")
    var fallback = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String?

    func validate() throws {
        if !all && domain == nil { throw ValidationError("give a domain, or -a for all domains") }
        if all, let domain { throw ValidationError("-a covers every domain; \"\(domain)\" is one too many") }
    }

    func run(_ request: ShutdownRequest, _ context: CommandContext) throws {
        let toolstack = try context.toolstack()
        var asked: [DomainID] = []
        var failures: [String] = []
        if all {
            for info in try toolstack.domainsToShutDown(request) {
                do { asked.append(try toolstack.requestShutdown(info, request, fallback: fallback, prefix: "\(request.command) \(info.id)")) } catch {
                    failures.append(String(describing: error))
                }
            }
        } else if let domain {
            asked.append(try toolstack.requestShutdown(domain, request, fallback: fallback))
        }
        try context.finish()
        for failure in failures.dropLast() { context.output.error(failure) }
        if wait > 0, !context.globals.dryRun, !asked.isEmpty {
            try waitFor(asked, untilGone: wait > 1, context)
        }
        if let last = failures.last { throw ToolstackError(last) }
    }

    /// upstream's `wait_for_domain_deaths`: `@releaseDomain`, then a look at the domains, until each asked one is
    /// gone, or (`-w` once) has shut down.
    private func waitFor(_ domains: [DomainID], untilGone: Bool, _ context: CommandContext) throws {
        let sessions = HostSessions(globals: context.globals, environment: context.environment, output: context.output)
        let verbose = context.globals.verbose > 0
        if verbose { context.output.error("Waiting for \(domains.count) domains") }
        let watcher = try sessions.releaseWatcher(token: "xl-wait")
        var waiting = Set(domains)
        while !waiting.isEmpty {
            try sessions.waitForRelease(watcher)
            guard sessions.hostExists else { throw ToolstackError("the simulated host in \(sessions.simulationDirectory ?? "") is gone") }
            let infos: [DomainInfo] = try sessions.visit { toolstack in
                do throws(HypervisorError) { return try toolstack.hypervisor.domains() } catch {
                    throw ToolstackError("cannot list domains: \(error.returned)")
                }
            }
            for id in waiting.sorted() {
                guard let info = infos.first(where: { $0.id == id }) else {
                    if verbose { context.output.error("Domain \(id) has been destroyed") }
                    waiting.remove(id)
                    continue
                }
                if info.state.contains(.shutdown), !untilGone {
                    if verbose { context.output.error("Domain \(id) has been shut down, reason code \(info.shutdownReason ?? 0)") }
                    waiting.remove(id)
                }
            }
        }
    }
}
