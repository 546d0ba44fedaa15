import FoundationEssentials
import XLConfig
import XenStoreClient
import XenTypes

/// The xenstore entries libxl writes for a PVH ARM guest (`libxl__domain_make`, `libxl__build_post`).
struct GuestXenStoreEntries {
    let domain: DomainID
    let uuid: DomainUUID
    let config: DomainConfig

    var domainPath: String { "/local/domain/\(domain)" }
    var vmPath: String { "/vm/\(uuid)" }
    var libxlPath: String { "/libxl/\(domain)" }

    /// Nodes the guest may write (libxl gives it read-write on these).
    static let guestWritable = [
        "device", "control/shutdown", "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend",
        "control/sysrq", "data", "drivers", "feature", "attr", "error",
    ]

    /// Writes everything in one transaction: dom0 owns every node; the guest reads its own and writes a few.
    /// Returns the parents (`/vm`, `/libxl`) it had to create, so that an undo removes them too.
    func write(to xenstore: any XenStore, startTime: Double) throws -> [String] {
        let readable = [XenStorePermission(.none, .dom0), XenStorePermission(.read, domain)]
        // The guest owns these; the first entry's access is what every other domain gets: none.
        let writable = [XenStorePermission(.none, domain)]
        return try xenstore.transaction { tx in
            let created = try ["/vm", "/libxl"].filter { !(try xenstore.exists($0, in: tx)) }
            try xenstore.mkdir(domainPath, in: tx)
            try xenstore.setPermissions(domainPath, readable, in: tx)
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
            let seconds = Int(startTime)
            let centiseconds = Int((startTime - Double(seconds)) * 100)
            for (key, value) in [("uuid", uuid.description), ("name", config.name), ("start_time", "\(seconds).\(centiseconds < 10 ? "0" : "")\(centiseconds)")] {
                try xenstore.write("\(vmPath)/\(key)", string: value, in: tx)
            }
            try xenstore.write("\(libxlPath)/type", string: config.type.rawValue, in: tx)
            try xenstore.write("\(libxlPath)/dm-version", string: "qemu_xen", in: tx)
            return created
        }
    }

    /// The console's frontend entries (`libxl__device_console_add` for the primary console).
    func writeConsole(to xenstore: any XenStore) throws {
        try xenstore.transaction { tx in
            for (key, value) in [("type", "xenconsoled"), ("output", "pty"), ("limit", "1048576"), ("tty", "")] {
                try xenstore.write("\(domainPath)/console/\(key)", string: value, in: tx)
            }
        }
    }

    /// Removes every entry of the domain, and the emptied `parents`; missing ones are fine.
    static func remove(domain: DomainID, vm: String?, parents: [String] = [], from xenstore: any XenStore) throws {
        try xenstore.transaction { tx in
            for path in ["/local/domain/\(domain)", "/libxl/\(domain)"] + (vm.map { [$0] } ?? []) + parents
            where try xenstore.exists(path, in: tx) && (!parents.contains(path) || xenstore.children(path, in: tx).isEmpty) {
                try xenstore.remove(path, in: tx)
            }
        }
    }
}
