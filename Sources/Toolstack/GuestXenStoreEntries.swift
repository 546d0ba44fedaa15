// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import OverlayHandoff
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

/// The xenstore entries libxl writes for a PVH ARM guest (`libxl__domain_make`, `libxl__build_post`,
/// `libxl__device_console_add`, `libxl__device_vuart_add`).
struct GuestXenStoreEntries {
    let domain: DomainID
    let uuid: DomainUUID
    let config: DomainConfig

    var domainPath: String { "/local/domain/\(domain)" }
    var vmPath: String { "/vm/\(uuid)" }
    var libxlPath: String { "/libxl/\(domain)" }

    /// Directories dom0 owns and the guest reads (libxl's `roperm`, like the domain's home).
    static let guestReadable = ["cpu", "memory", "device", "control"]
    /// Nodes the guest may write (libxl's `rwperm`: the guest owns them).
    static let guestWritable = [
        "control/shutdown", "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend",
        "control/sysrq", "device/suspend/event-channel", "data", "drivers", "feature", "attr", "error",
    ]
    /// What libxl tells every guest the toolstack supports.
    static let platformFeatures = ["control/platform-feature-multiprocessor-suspend", "control/platform-feature-xs_reset_watches"]

    /// `LIBXL_XENCONSOLE_LIMIT` and `LIBXL_XENCONSOLE_PROTOCOL`.
    static let consoleLimit = "1048576"
    static let consoleProtocol = "vt100"
    /// `XenbusStateInitialising`.
    static let initialising = "1"

    /// Writes everything in one transaction: dom0 owns every node; the guest reads its own and writes a few.
    /// `record` is the configuration kept for `xl list -l`. Returns the parents (`/vm`, `/libxl`) it had to
    /// create, so that an undo removes them too.
    func write(to xenstore: any XenStore, startTime: Double, record: String) throws -> [String] {
        let readable = [XenStorePermission(.none, .dom0), XenStorePermission(.read, domain)]
        // The guest owns these; the first entry's access is what every other domain gets: none.
        let writable = [XenStorePermission(.none, domain)]
        return try xenstore.transaction { tx in
            let created = try ["/vm", "/libxl"].filter { !(try xenstore.exists($0, in: tx)) }
            for path in [domainPath, vmPath] + Self.guestReadable.map({ "\(domainPath)/\($0)" }) {
                try xenstore.mkdir(path, in: tx)
                try xenstore.setPermissions(path, readable, in: tx)
            }
            for path in [libxlPath, "\(libxlPath)/device"] {
                try xenstore.mkdir(path, in: tx)
                try xenstore.setPermissions(path, [XenStorePermission(.none, .dom0)], in: tx)
            }
            var values: [(String, String)] = [
                ("vm", vmPath), ("name", config.name), ("domid", String(domain.rawValue)),
                ("memory/static-max", String(config.maxMemoryKiB)), ("memory/target", String(config.targetMemoryKiB)),
                ("memory/videoram", "0"),  // libxl: PVH guests have no video memory
            ]
            for cpu in 0..<(config.vcpus ?? 1) { values.append(("cpu/\(cpu)/availability", "online")) }
            for (key, value) in values { try xenstore.write("\(domainPath)/\(key)", string: value, in: tx) }
            for key in Self.guestWritable {
                try xenstore.write("\(domainPath)/\(key)", string: "", in: tx)
                try xenstore.setPermissions("\(domainPath)/\(key)", writable, in: tx)
            }
            for key in Self.platformFeatures { try xenstore.write("\(domainPath)/\(key)", string: "1", in: tx) }
            let seconds = Int(startTime)
            let centiseconds = Int((startTime - Double(seconds)) * 100)
            for (key, value) in [("uuid", uuid.description), ("name", config.name), ("start_time", "\(seconds).\(centiseconds < 10 ? "0" : "")\(centiseconds)")] {
                try xenstore.write("\(vmPath)/\(key)", string: value, in: tx)
            }
            try xenstore.write("\(libxlPath)/type", string: config.type.rawValue, in: tx)
            try xenstore.write("\(libxlPath)/dm-version", string: "qemu_xen", in: tx)
            try LibxlConfigRecord.write(record, under: libxlPath, to: xenstore, in: tx)
            return created
        }
    }

    /// `libxl__build_post`: the xenstore ring's port and frame, which the guest reads to find xenstored.
    func writeStore(_ ring: GuestRing, to xenstore: any XenStore) throws {
        try xenstore.transaction { tx in
            try xenstore.write("\(domainPath)/store/port", string: String(ring.port), in: tx)
            try xenstore.write("\(domainPath)/store/ring-ref", string: String(ring.gfn), in: tx)
        }
    }

    /// The primary console (`libxl__device_console_add`, devid 0) served by xenconsoled in `backend`, and the
    /// vpl011 (`libxl__device_vuart_add`) when the builder set one up. Returns the backend directories it had to
    /// create, so that an undo removes them too.
    func writeConsole(_ ring: GuestRing, vpl011: GuestRing?, backend: DomainID, to xenstore: any XenStore) throws -> [String] {
        let frontendOnly = [XenStorePermission(.none, backend), XenStorePermission(.read, domain)]
        let guestOwned = [XenStorePermission(.none, domain), XenStorePermission(.read, backend)]
        return try xenstore.transaction { tx in
            let backends = ["/local/domain/\(backend)/backend", "/local/domain/\(backend)/backend/console", "/local/domain/\(backend)/backend/vuart"]
            let created = try backends.filter { !(try xenstore.exists($0, in: tx)) }
            let console = Device(kind: "console", frontend: "\(domainPath)/console", domain: domain, backendDomain: backend)
            try console.write(to: xenstore, in: tx, libxl: libxlPath, frontendPermissions: frontendOnly, readOnly: [
                ("limit", Self.consoleLimit), ("type", "xenconsoled"), ("output", "pty"), ("tty", ""),
                ("port", String(ring.port)), ("ring-ref", String(ring.gfn)),
            ])
            try xenstore.write("\(console.frontend)/backend-id", string: String(backend.rawValue), in: tx)
            try xenstore.setPermissions("\(console.frontend)/backend-id", guestOwned, in: tx)
            if let vpl011 {
                let vuart = Device(kind: "vuart", frontend: "\(domainPath)/vuart/0", domain: domain, backendDomain: backend)
                try vuart.write(to: xenstore, in: tx, libxl: libxlPath, frontendPermissions: frontendOnly, readOnly: [
                    ("port", String(vpl011.port)), ("ring-ref", String(vpl011.gfn)), ("limit", Self.consoleLimit), ("type", "xenconsoled"),
                ])
            }
            return created.filter { path in vpl011 != nil || !path.hasSuffix("/vuart") }
        }
    }

    /// Removes every entry of the domain, its console back ends in `backend`, its normal-mode hand-off
    /// slot (one a killed `xl` left), and the emptied `parents`; missing ones are fine.
    static func remove(domain: DomainID, vm: String?, backend: DomainID = .dom0, parents: [String] = [], from xenstore: any XenStore) throws {
        let backends = ["console", "vuart"].map { "/local/domain/\(backend)/backend/\($0)/\(domain)" }
        try xenstore.transaction { tx in
            for path in ["/local/domain/\(domain)", "/libxl/\(domain)", HandoffNodes.lock(of: domain)] + backends + (vm.map { [$0] } ?? []) + parents.reversed()
            where try xenstore.exists(path, in: tx) && (!parents.contains(path) || xenstore.children(path, in: tx).isEmpty) {
                try xenstore.remove(path, in: tx)
            }
            // libxl's path clean-up: back-end directories the removal left empty go too, whoever created
            // them, and so does the directory of hand-off slots.
            let root = "/local/domain/\(backend)/backend"
            for path in ["console", "vuart"].map({ "\(root)/\($0)" }) + [root, HandoffNodes.lockRoot]
            where try xenstore.exists(path, in: tx) && xenstore.children(path, in: tx).isEmpty {
                try xenstore.remove(path, in: tx)
            }
        }
    }

    /// One device's front end, back end and libxl record (`libxl__device_generic_add`).
    private struct Device {
        let kind: String
        let frontend: String
        let domain: DomainID
        let backendDomain: DomainID
        var backend: String { "/local/domain/\(backendDomain)/backend/\(kind)/\(domain)/0" }

        func write(to xenstore: any XenStore, in tx: XenStoreTransaction, libxl: String,
                   frontendPermissions: [XenStorePermission], readOnly: [(String, String)]) throws {
            let record = "\(libxl)/device/\(kind)/0"
            try xenstore.write("\(record)/frontend", string: frontend, in: tx)
            try xenstore.write("\(record)/backend", string: backend, in: tx)
            try xenstore.mkdir(frontend, in: tx)
            try xenstore.setPermissions(frontend, frontendPermissions, in: tx)
            try xenstore.write("\(frontend)/backend", string: backend, in: tx)
            for (key, value) in readOnly {
                try xenstore.write("\(frontend)/\(key)", string: value, in: tx)
                try xenstore.setPermissions("\(frontend)/\(key)", frontendPermissions, in: tx)
            }
            let backendPermissions = [XenStorePermission(.none, backendDomain), XenStorePermission(.read, domain)]
            try xenstore.mkdir(backend, in: tx)
            try xenstore.setPermissions(backend, backendPermissions, in: tx)
            try xenstore.write("\(backend)/frontend", string: frontend, in: tx)
            let values = [("frontend-id", String(domain.rawValue)), ("online", "1"), ("state", GuestXenStoreEntries.initialising), ("protocol", GuestXenStoreEntries.consoleProtocol)]
            for (key, value) in values {
                try xenstore.write("\(backend)/\(key)", string: value, in: tx)
                try xenstore.write("\(record)/\(key)", string: value, in: tx)
            }
        }
    }
}
