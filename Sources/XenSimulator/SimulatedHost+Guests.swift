// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

/// The PV drivers of the simulated guests `xl create` built, as Linux's `drivers/xen/manage.c` behaves: once
/// booted and connected to xenstore a guest announces `control/feature-poweroff`, `feature-reboot` and
/// `feature-suspend`; when `control/shutdown` holds a request it acknowledges it (writes it empty) and shuts
/// itself down with the matching `SHUTDOWN_*` reason; a key in `control/sysrq` it takes (writes the node empty) and
/// logs on its console. A paused or shut-down guest runs nothing; a kernel
/// started with `xen_nopv` on its command line has no PV control and never answers.
extension SimulatedHost {
    /// The kernel option that keeps a simulated guest's PV drivers off.
    public static let noPVOption = "xen_nopv"

    /// Runs every running guest's PV control driver once; called when dom0 writes a `control/shutdown` node and
    /// before the host's state is saved. Failures of the guest's own requests leave it as it was (a guest
    /// that cannot reach xenstore does nothing).
    func runGuests() {
        for index in hypervisor.state.domains.indices {
            let domain = hypervisor.state.domains[index]
            guard var guest = domain.guest, guest.console != nil, domain.state.contains(.running), !domain.state.contains(.shutdown) else { continue }
            guard let store = guestStore(domain.id) else { continue }
            let control = "/local/domain/\(domain.id)/control"
            if guest.pvControl == nil {
                if (guest.cmdline ?? "").split(separator: " ").contains(Substring(Self.noPVOption)) {
                    guest.pvControl = false
                } else {
                    // xenbus waits for the toolstack's control directory before it announces anything.
                    guard (try? store.exists(control)) == true else { continue }
                    do {
                        for feature in ["poweroff", "reboot", "suspend"] { try store.write("\(control)/feature-\(feature)", string: "1") }
                    } catch { continue }
                    guest.pvControl = true
                    append("[sim] xen:manage: PV control ready (feature-poweroff, feature-reboot, feature-suspend)", to: &guest)
                }
                hypervisor.state.domains[index].guest = guest
            }
            guard guest.pvControl == true else { continue }
            if let key = try? store.readString("\(control)/sysrq"), !key.isEmpty, (try? store.write("\(control)/sysrq", string: "")) != nil {
                // sysrq_handler: the key is taken (the node emptied), then run.
                append("[sim] sysrq: key '\(Self.shown(key, limit: 1))'", to: &guest)
                hypervisor.state.domains[index].guest = guest
            }
            guard let request = try? store.readString("\(control)/shutdown"), !request.isEmpty else { continue }
            // shutdown_handler: the request is acknowledged before it is carried out.
            guard (try? store.write("\(control)/shutdown", string: "")) != nil else { continue }
            let reasons: [String: ShutdownReason] = ["poweroff": .poweroff, "halt": .poweroff, "reboot": .reboot, "suspend": .suspend]
            let shown = Self.shown(request, limit: 64)
            guard let reason = reasons[request] else {
                append("[sim] xen:manage: Ignoring shutdown request: \(shown)", to: &guest)
                hypervisor.state.domains[index].guest = guest
                continue
            }
            append("[sim] xen:manage: control/shutdown \(shown): \(reason == .reboot ? "restarting" : reason == .suspend ? "suspending" : "powering off")", to: &guest)
            hypervisor.state.domains[index].guest = guest
            hypervisor.shutDown(index, reason)
        }
    }

    /// At most `limit` characters of what a node held, printable ASCII only.
    private static func shown(_ text: String, limit: Int) -> String {
        String(text.unicodeScalars.prefix(limit).map { $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    }

    private func append(_ line: String, to guest: inout SimulatedGuest) { guest.write(line + "\n") }
}
