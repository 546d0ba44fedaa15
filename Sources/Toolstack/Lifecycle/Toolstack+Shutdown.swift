// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XenControl
import XenStoreClient
import XenTypes

/// What `xl shutdown` and `xl reboot` ask a guest for.
public enum ShutdownRequest: Sendable {
    case poweroff
    case reboot

    /// The subcommand, as messages name it.
    public var command: String { self == .poweroff ? "shutdown" : "reboot" }
    /// The reason the domain shuts down with.
    public var reason: ShutdownReason { self == .poweroff ? .poweroff : .reboot }
    /// The `control/` node a guest's PV drivers write to say they take this request.
    var feature: String { self == .poweroff ? "feature-poweroff" : "feature-reboot" }
}

extension Toolstack {
    /// How long a guest has to acknowledge a PV control request (libxl's 60 s).
    public static let controlAcknowledgeSeconds = 60.0

    /// The domains `-a` covers: every domain but dom0 that has not shut down yet, in domid order.
    public func domainsToShutDown(_ request: ShutdownRequest) throws -> [DomainInfo] {
        do { return try hypervisor.domains().filter { $0.id != .dom0 && !$0.state.contains(.shutdown) } } catch {
            throw ToolstackError("\(request.command) -a: cannot list domains: \(error.returned)")
        }
    }

    /// `xl shutdown DOMAIN` / `xl reboot DOMAIN`: through the PV control node (`control/shutdown`) when the guest's
    /// drivers announced the request's feature, waiting for the guest to acknowledge it; with `fallback` (`-F`),
    /// through `SCHEDOP_remote_shutdown` when the guest cannot answer. Returns the domain asked.
    @discardableResult
    public func requestShutdown(_ argument: String, _ request: ShutdownRequest, fallback: Bool) throws -> DomainID {
        let prefix = "\(request.command) \(argument)"
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(prefix): \(error.message)") }
        return try requestShutdown(info, request, fallback: fallback, prefix: prefix)
    }

    /// The same for a domain already looked up (`-a`).
    @discardableResult
    public func requestShutdown(_ info: DomainInfo, _ request: ShutdownRequest, fallback: Bool, prefix: String) throws -> DomainID {
        let id = info.id
        guard id != .dom0 else {
            throw ToolstackError("\(prefix): domain 0 runs this toolstack; shut the host down from dom0 itself (poweroff or reboot there)")
        }
        if info.state.contains(.shutdown) {
            let reason = info.shutdownReason.flatMap(ShutdownReason.init(rawValue:))?.name ?? "code \(info.shutdownReason ?? 0)"
            throw ToolstackError("\(prefix): domain \(id) has already shut down (\(reason)); xl destroy \(id) removes it")
        }
        guard let control = hypervisor as? any DomainControl else {
            throw ToolstackError("\(prefix): this hypervisor backend cannot control domains")
        }
        if request == .reboot, try isBootTimeDomain(id, prefix) {
            throw ToolstackError("\(prefix): domain \(id) was built by Xen at boot (dom0less) and no toolstack can build it again, "
                + "so a reboot would only leave it shut down; use xl shutdown to stop it, or reboot the host")
        }
        let home = "/local/domain/\(id)/control"
        let feature: String?
        do { feature = try xenstore.readString("\(home)/\(request.feature)") } catch {
            throw ToolstackError("\(prefix): cannot read \(home)/\(request.feature): \(error.errno)")
        }
        let paravirtual = feature == "1"
        let paused = info.state.contains(.paused)
        if paravirtual, !paused {
            return try askGuest(id, request, at: "\(home)/shutdown", prefix: prefix)
        }
        guard fallback else {
            if paravirtual {
                throw ToolstackError("\(prefix): domain \(id) is paused, so its guest cannot answer the request; "
                    + "unpause it first, or use -F to shut it down through the hypervisor")
            }
            throw ToolstackError("\(prefix): domain \(id) has no PV control interface (\(home)/\(request.feature) is not set: the guest "
                + "has no Xen PV drivers, or has not started them yet), so a graceful \(request.command) is not possible; "
                + "use -F to shut it down through the hypervisor (SCHEDOP_remote_shutdown, reason \(request.reason.name))")
        }
        if dryRun {
            output("dry run: would shut domain \(id) down through the hypervisor (SCHEDOP_remote_shutdown, reason \(request.reason.name))")
            return id
        }
        log("\(prefix): the guest cannot answer the PV control node; shutting domain \(id) down through the hypervisor")
        do { try control.remoteShutdown(id, reason: request.reason) } catch {
            throw ToolstackError("\(prefix): \(error.returned)")
        }
        return id
    }

    /// libxl's `libxl__domain_pvcontrol`: writes the request and waits for the guest to empty the node.
    private func askGuest(_ id: DomainID, _ request: ShutdownRequest, at path: String, prefix: String) throws -> DomainID {
        let word = request.reason.controlRequest ?? request.command
        if dryRun {
            output("dry run: would write \(path) = \"\(word)\" and wait for domain \(id) to acknowledge it")
            return id
        }
        let token = "xl-\(request.command)-\(id)"
        // Upstream's xl does not wait for the acknowledgement at all; ours waits for it when it can watch the node,
        // and otherwise (the watch cannot be set or read) returns once the request is written, as upstream does.
        let watching = (try? xenstore.watch(path, token: token)) != nil
        defer { if watching { try? xenstore.unwatch(path, token: token) } }
        do { try xenstore.write(path, string: word) } catch {
            throw ToolstackError("\(prefix): cannot write \(path): \(error.errno)")
        }
        guard watching else {
            log("\(prefix): cannot watch \(path); not waiting for domain \(id) to acknowledge the \(word) request")
            return id
        }
        let deadline = ContinuousClock.now + .seconds(controlTimeout)
        while true {
            let value: String?
            do { value = try xenstore.readString(path) } catch {
                log("\(prefix): reading \(path) back failed (\(error)); not waiting for the acknowledgement")
                return id
            }
            if value == nil || value == "" { break }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                try? xenstore.write(path, string: "")
                throw ToolstackError("\(prefix): the guest of domain \(id) did not acknowledge the \(word) request within "
                    + "\(Int(controlTimeout)) s; the request was withdrawn (use -F to shut it down through the hypervisor)")
            }
            do { _ = try xenstore.readWatch(timeout: Double(left.components.seconds) + 0.05) } catch {
                log("\(prefix): watching \(path) failed (\(error)); not waiting for the acknowledgement")
                return id
            }
        }
        log("\(prefix): domain \(id) acknowledged the \(word) request")
        return id
    }

    /// Whether the domain's config record is `init-dom0less`'s stub: no kernel, because Xen built the domain at boot.
    func isBootTimeDomain(_ id: DomainID, _ prefix: String) throws -> Bool {
        let text: String?
        do { text = try LibxlConfigRecord.read(under: "/libxl/\(id)", from: xenstore) } catch {
            throw ToolstackError("\(prefix): cannot read /libxl/\(id)/libxl-json: \(error.errno)")
        }
        guard let text, case .object(let record)? = JSONValue(parsing: text), case .object(let build)? = record["b_info"] else { return false }
        return build["kernel"] == nil
    }
}
