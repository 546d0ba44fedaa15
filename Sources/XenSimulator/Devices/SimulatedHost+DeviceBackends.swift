// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// dom0's netback and blkback and the guests' netfront and blkfront on a simulated host, as Linux's drivers
/// run the XenbusState handshake: a back end whose node appears goes to InitWait (2); once its hotplug script
/// reported `hotplug-status` `connected` (and, for a disk, wrote `physical-device`) and the front end is
/// Initialised (3) or Connected (4), it connects (4). A front end answers a back end in InitWait with its
/// rings and event channel (netfront then connects, blkfront reports Initialised and connects after the back
/// end). When the toolstack sets `online` to 0 and the back end Closing (5), the front end closes (6) and the
/// back end follows. Front ends run only in guests whose PV drivers are up and which run.
extension SimulatedHost {
    /// dom0's drivers' and scripts' own xenstore connection (not the command's, whose requests tests count and
    /// fail on purpose); dom0's connection on a real xenstored.
    var dom0Drivers: any XenStore { guestStore(.dom0) ?? plain }

    /// Runs the back ends and front ends until nothing changes (at most a few rounds).
    func runDevices() {
        for _ in 0..<8 {
            guard runDevicesOnce() else { return }
        }
    }

    /// One round; true when anything was written.
    private func runDevicesOnce() -> Bool {
        var changed = false
        for kind in ["vif", "vbd"] {
            let root = "/local/domain/0/backend/\(kind)"
            for domain in (try? dom0Drivers.children(root)) ?? [] {
                for devid in (try? dom0Drivers.children("\(root)/\(domain)")) ?? [] {
                    let backend = "\(root)/\(domain)/\(devid)"
                    guard let id = UInt16(domain), UInt32(devid) != nil else { continue }
                    let frontend = "/local/domain/\(id)/device/\(kind)/\(devid)"
                    if runFrontend(kind, frontend: frontend, backend: backend, domain: DomainID(id)) { changed = true }
                    if runBackend(kind, backend: backend, frontend: frontend) { changed = true }
                }
            }
        }
        return changed
    }

    /// A state node as the drivers read it: a small number, or nil.
    private func state(_ path: String, _ store: any XenStore) -> Int? {
        guard let value = try? store.read(path, in: nil), value.count <= 3, !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: value, as: UTF8.self))
    }

    private func runBackend(_ kind: String, backend: String, frontend: String) -> Bool {
        guard let current = state("\(backend)/state", dom0Drivers) else { return false }
        let online = (try? dom0Drivers.readString("\(backend)/online")) == "1"
        let front = state("\(frontend)/state", dom0Drivers)
        func set(_ value: Int) -> Bool { (try? dom0Drivers.write("\(backend)/state", string: String(value))) != nil }
        switch current {
        case 1 where online:
            return set(2)
        case 2, 3:
            guard online else { return front == nil || front == 1 || front == 6 ? set(6) : false }
            let ready = (try? dom0Drivers.readString("\(backend)/hotplug-status")) == "connected"
                && (kind == "vif" || (try? dom0Drivers.exists("\(backend)/physical-device")) == true)
            guard ready, front == 3 || front == 4 else { return false }
            if let index = hypervisor.state.deviceState.faults.firstIndex(of: .backendLeaves) {
                hypervisor.state.deviceState.faults.remove(at: index)
                return set(6)
            }
            return set(4)
        case 4, 5:
            guard !online else { return false }
            return front == nil || front == 0 || front == 1 || front == 6 ? set(6) : false
        default:
            return false
        }
    }

    private func runFrontend(_ kind: String, frontend: String, backend: String, domain: DomainID) -> Bool {
        guard frontendsRun(domain), let store = guestStore(domain), let current = state("\(frontend)/state", store) else { return false }
        guard let back = state("\(backend)/state", store) else { return false }
        func set(_ value: Int) -> Bool { (try? store.write("\(frontend)/state", string: String(value))) != nil }
        switch (current, back) {
        case (1, 2), (1, 4):
            let rings = kind == "vif"
                // Linux's netfront takes netback's split event channels (feature-split-event-channels): no
                // event-channel node, which upstream's network-list shows as -1, as on real Xen.
                ? [("tx-ring-ref", "\(8 + Int(domain.rawValue))"), ("rx-ring-ref", "\(9 + Int(domain.rawValue))"),
                   ("event-channel-tx", "\(10 + Int(domain.rawValue))"), ("event-channel-rx", "\(11 + Int(domain.rawValue))"),
                   ("request-rx-copy", "1"), ("feature-rx-notify", "1"), ("feature-sg", "1")]
                : [("ring-ref", "\(8 + Int(domain.rawValue))"), ("event-channel", "\(10 + Int(domain.rawValue))"), ("protocol", "arm-abi")]
            for (key, value) in rings { guard (try? store.write("\(frontend)/\(key)", string: value)) != nil else { return false } }
            return set(kind == "vif" ? 4 : 3)
        case (3, 4):
            return set(4)
        case (let f, 5) where f != 6, (let f, 6) where f != 6:
            return set(6)
        default:
            return false
        }
    }

    /// Whether a guest's PV front ends run: it runs, and its PV drivers are up (a created guest that announced its
    /// PV control, or a dom0less guest `init-dom0less` introduced to xenstore); not while front ends are made silent.
    private func frontendsRun(_ domain: DomainID) -> Bool {
        guard !(hypervisor.state.devices?.faults.contains(.frontendSilent) ?? false),
            let index = hypervisor.state.index(of: domain)
        else { return false }
        let entry = hypervisor.state.domains[index]
        guard entry.state.intersection([.paused, .shutdown, .dying]).isEmpty else { return false }
        if let guest = entry.guest { return guest.pvControl == true }
        guard hypervisor.state.dom0less?.index(of: domain) != nil else { return false }
        return (try? dom0Drivers.exists("/local/domain/\(domain)/domid")) == true
    }
}
