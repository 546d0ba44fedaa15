// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FoundationEssentials
import OverlayHandoff
import XenControl
import XenSimulator
import XenStoreClient
import XenTypes

/// The `get_overlay` entry point (the domU's half of normal mode's hand-off) as a function of
/// its arguments, environment and output.
public enum GetOverlayMain {
    /// Runs `get_overlay`; 0 on success, 1 when the hand-off failed, 2 on a usage error.
    public static func run(_ arguments: [String], environment: [String: String], output: Output) -> Int32 {
        let command: GetOverlayCommand
        do { command = try GetOverlayCommand.parse(arguments) } catch {
            let code = GetOverlayCommand.exitCode(for: error)
            let text = GetOverlayCommand.fullMessage(for: error)
            if code == .success {
                output.raw(text + "\n")
                return 0
            }
            output.error("get_overlay: " + (text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text))
            return 2
        }
        do {
            try command.run(environment: environment, output: output)
            return 0
        } catch {
            output.error("get_overlay: \(error)")
            return 1
        }
    }
}

/// `get_overlay`: receives one overlay request from dom0, or reports the outcome of one.
struct GetOverlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get_overlay",
        abstract: "The domU's half of `xl dt-overlay ... NODE_NAME TYPE PARTIAL`: receive one request from dom0, or report its outcome.",
        discussion: """
            Without --report: say `waiting`, take dom0's next request and, for an add, share pages for \
            the overlay, check what arrives, store it in FILE and wait for dom0's go-ahead; then print \
            one line, `add REQUEST NODE_NAME TYPE PARTIAL FILE` or `remove REQUEST NODE_NAME TYPE PARTIAL`. \
            The caller applies or removes the overlay and reports with --report REQUEST applied|removed, \
            or error REASON. get_overlay.sh does all of it. See Docs/overlay-handoff.md.
            """,
        version: ToolVersion.line("get_overlay"))

    @Option(help: ArgumentHelp("Play guest DOMAIN of the simulated host kept in DIR.", valueName: "DIR"))
    var simulate: String?
    @Option(help: ArgumentHelp("With --simulate: the guest's domain id.", valueName: "N"))
    var domain: UInt16?
    @Option(help: ArgumentHelp("The domain that sends overlays.", valueName: "DOMID"))
    var sender: UInt16 = 0
    @Option(help: ArgumentHelp("Where to store a received overlay.", valueName: "FILE"))
    var output = "overlay.dtbo"
    @Option(help: ArgumentHelp("Seconds each step may take once a request arrived.", valueName: "SECONDS"))
    var timeout = HandoffNodes.defaultTimeout
    @Option(help: ArgumentHelp("Seconds to wait for a request (default: no limit).", valueName: "SECONDS"))
    var wait: Double?
    @Option(help: ArgumentHelp("Report the outcome of request REQUEST: applied, removed, or error REASON.", valueName: "REQUEST"))
    var report: String?
    @Argument(help: ArgumentHelp("With --report: applied, removed or error, and for error the reason.", valueName: "OUTCOME"))
    var outcome: [String] = []
    @Flag(name: .customShort("v"), help: "Say what is done on stderr.")
    var verbose = false

    func validate() throws {
        guard (simulate == nil) == (domain == nil) else { throw ValidationError("--simulate DIR and --domain N go together") }
        for (name, value) in [("--timeout", timeout), ("--wait", wait ?? 1)] where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) \(value): give more than 0 and at most 86400 seconds")
        }
        if report != nil {
            guard let status = outcome.first, ["applied", "removed", "error"].contains(status) else {
                throw ValidationError("--report REQUEST takes applied, removed, or error REASON")
            }
            guard status == "error" || outcome.count == 1 else { throw ValidationError("only error takes a reason") }
        } else if !outcome.isEmpty {
            throw ValidationError("unexpected argument \(outcome[0]) (the outcome goes with --report REQUEST)")
        }
    }

    func run(environment: [String: String], output out: Output) throws {
        let log: (String) -> Void = { [verbose] text in if verbose { out.error("get_overlay: " + text) } }
        let (xenstore, sharer) = try backends(environment)
        let receiver = OverlayReceiver(xenstore: xenstore, sharer: sharer, sender: DomainID(sender), timeout: timeout)
        if let report {
            let status = ReceiverStatus(rawValue: outcome[0]) ?? .error
            try receiver.report(status, for: report, reason: status == .error ? outcome.dropFirst().joined(separator: " ") : nil)
            log("reported \(status.rawValue) for request \(report)")
            return
        }
        log("waiting for a request from domain \(sender)")
        let request = try receiver.waitForRequest(wait: wait)
        let overlay = request.overlay
        let words = "\(request.id) \(overlay.name) \(overlay.kind.rawValue) \(overlay.partialText)"
        log("request \(request.id): \(request.operation.rawValue) \(overlay.kind.rawValue) overlay \(overlay.name), \(request.size) bytes")
        do {
            switch request.operation {
            case .add:
                let blob = try receiver.receive(request)
                try store(blob)
                try receiver.report(.received, for: request.id)
                do { try receiver.waitForGoAhead(request) } catch {
                    try? FileManager.default.removeItem(atPath: output)
                    throw error
                }
                out.line("add \(words) \(output)")
            case .remove:
                out.line("remove \(words)")
            }
        } catch {
            try? receiver.report(.error, for: request.id, reason: "\(error)")
            throw error
        }
    }

    /// The guest's xenstore connection and grant sharer: the simulated host's, or the real ones.
    private func backends(_ environment: [String: String]) throws -> (any XenStore, any GrantSharer) {
        let xenbus = environment["XENSTORED_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        let xenstore: any XenStore
        let sharer: any GrantSharer
        if let simulate, let domain {
            let guest = try SimulatedGuestConnection(directory: simulate, domain: DomainID(domain), xenbusPath: xenbus)
            (xenstore, sharer) = (guest.xenstore, guest.sharer)
        } else {
            do { xenstore = try LibXenStoreBackend.guest() } catch {
                throw HandoffError("cannot open xenstore through \(xenbus ?? "/dev/xen/xenbus"): \(error.errno); get_overlay runs inside a domU (or use --simulate DIR --domain N)")
            }
            do { sharer = try GntAllocSharer() } catch {
                throw HandoffError("\(error); load the xen_gntalloc driver (modprobe xen_gntalloc)")
            }
        }
        // A connection that acts as the sender itself (a daemon socket in dom0) is not a guest's.
        if let own = try? xenstore.readString("domid"), own == String(sender) {
            throw HandoffError("this xenstore connection acts as domain \(sender), the sender; get_overlay runs in the domU")
        }
        return (xenstore, sharer)
    }

    /// Stores the overlay in FILE (a temporary file renamed over it).
    private func store(_ blob: [UInt8]) throws {
        do { try Data(blob).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw HandoffError("cannot write \(output): \(error)")
        }
    }
}
