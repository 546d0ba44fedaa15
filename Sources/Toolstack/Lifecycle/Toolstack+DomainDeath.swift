// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XLConfig
import XenControl
import XenTypes

/// What the monitor of `xl create` does next after looking at its domain.
public enum MonitorStep: Equatable, Sendable {
    /// The domain runs (or suspended): wait for the next event.
    case wait
    /// Nothing more to watch: the domain is gone, destroyed, or preserved shut down.
    case exit
    /// The domain was created again under this id.
    case restarted(DomainID)
}

extension Toolstack {
    /// Where upstream's xl writes core dumps (`XEN_DUMP_DIR`).
    public static let dumpDirectory = "/var/lib/xen/dump"

    /// The configuration the domain was created with, from its record (`/libxl/<domid>/libxl-json`); nil with a
    /// line for the log when there is none or it cannot be read.
    public func recordedConfig(of id: DomainID) -> (config: DomainConfig?, problem: String?) {
        do {
            guard let text = try LibxlConfigRecord.read(under: "/libxl/\(id)", from: xenstore) else {
                return (nil, "domain \(id) has no configuration record at /libxl/\(id)/libxl-json")
            }
            return (try DomainConfig(libxlRecord: text), nil)
        } catch let error as DomainConfigError {
            return (nil, "the configuration record of domain \(id) cannot be used: \(error)")
        } catch {
            return (nil, "cannot read /libxl/\(id)/libxl-json: \(error)")
        }
    }

    /// upstream's `handle_domain_death` and the restart of `create_domain`, for the monitor: looks at the domain and,
    /// when it shut down, carries out its `on_*` action. `config` is the configuration known so far (reloaded from
    /// the record first, as upstream reloads it). Every step is reported through `log`.
    public func monitorStep(_ id: DomainID, config: inout DomainConfig, log: (String) -> Void) throws -> MonitorStep {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("cannot list domains: \(error.returned)") }
        guard let info = domains.first(where: { $0.id == id }) else {
            log("Domain \(id) has been destroyed.")
            return .exit
        }
        guard info.state.contains(.shutdown) else { return .wait }
        let code = info.shutdownReason ?? 0
        log("Domain \(id) has shut down, reason code \(code) 0x\(String(code, radix: 16))")
        let reloaded = recordedConfig(of: id)
        if let fresh = reloaded.config { config = fresh } else if let problem = reloaded.problem {
            log("\(problem); reusing the configuration known so far")
        }
        if let name = try domainName(id) { config.name = name }
        var action: ShutdownAction
        switch ShutdownReason(rawValue: code) {
        case .poweroff: action = config.onPoweroff
        case .reboot: action = config.onReboot
        case .suspend:
            log("Domain has suspended.")
            return .wait
        case .crash: action = config.onCrash
        case .watchdog: action = config.onWatchdog
        case .softReset: action = config.onSoftReset
        case nil:
            log("Unknown shutdown reason code \(code). Destroying domain.")
            action = .destroy
        }
        log("Action for shutdown reason code \(code) is \(action.rawValue)")
        if action == .coredumpDestroy || action == .coredumpRestart {
            log("dumping core to \(Self.dumpDirectory)/\(config.name)")
            // libxenguest's xc_domain_dumpcore cannot map an ARM guest's P2M (xc_core_arch_map_p2m is ENOSYS on ARM).
            log("core dump failed: Xen on ARM cannot dump a guest's memory (libxenguest's xc_core_arch_map_p2m returns ENOSYS on ARM); "
                + "carrying on as \(action == .coredumpDestroy ? "destroy" : "restart"), as upstream's xl does")
            action = action == .coredumpDestroy ? .destroy : .restart
        }
        if action == .softReset {
            log("soft reset: Xen on ARM has no soft reset (arch_domain_soft_reset returns ENOSYS), so upstream's xl fails it "
                + "and destroys the domain; destroying it")
            action = .destroy
        }
        switch action {
        case .preserve:
            log("Done. Exiting now")
            return .exit
        case .destroy:
            log("Domain \(id) needs to be cleaned up: destroying the domain")
            try destroyDomain(String(id.rawValue))
            log("Done. Exiting now")
            return .exit
        case .restart:
            log("Domain \(id) needs to be cleaned up: destroying the domain")
            try destroyDomain(String(id.rawValue))
            return try restart(config, log: log)
        case .renameRestart:
            let suffix = Self.preserveSuffix(Date())
            log("Preserving domain \(id) \(config.name) with suffix\(suffix)")
            do { try renameDomain(String(id.rawValue), to: config.name + suffix) } catch let error as ToolstackError {
                log("cannot preserve domain \(id): \(error.message); leaving it as it is")
                throw error
            }
            // The preserved domain keeps its UUID (and /vm/UUID); the new one gets a fresh one.
            var fresh = config
            fresh.uuid = nil
            return try restart(fresh, log: log)
        case .coredumpDestroy, .coredumpRestart, .softReset:
            return .exit
        }
    }

    private func restart(_ config: DomainConfig, log: (String) -> Void) throws -> MonitorStep {
        log("Done. Rebooting now")
        guard let domain = try createDomain(config, paused: false) else { return .exit }
        return .restarted(domain)
    }

    /// upstream's `preserve_domain` suffix: `-%Y%m%dT%H%MZ` in UTC.
    static func preserveSuffix(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return (v < 10 ? "0" : "") + String(v) }
        return "-\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))Z"
    }
}
