// SPDX-License-Identifier: Apache-2.0
import XenStoreClient
import XenTypes

/// Everything libxl writes to xenstore for one PV device (`libxl__device_generic_add`), and where: the one place
/// that knows the layout.
///
/// - front end `/local/domain/<domid>/device/<kind>/<devid>`: the guest owns it, the back-end domain reads it;
///   the few nodes the guest must not change (``readOnlyFrontend``) belong to the back-end domain instead;
/// - back end `/local/domain/<backend>/backend/<kind>/<domid>/<devid>`: the back-end domain owns it, the guest
///   reads it;
/// - `/libxl/<domid>/device/<kind>/<devid>`: dom0's copy of the back end's entries and both paths.
public struct PVDeviceNodes: Sendable {
    public let kind: PVDeviceKind
    public let domain: DomainID
    public let backendDomain: DomainID
    public let devid: Int
    /// The back end's entries, in libxl's order (without `frontend`, which names the front end's path).
    public var backend: [(String, String)]
    /// The front end's entries the guest owns (without `backend`).
    public var frontend: [(String, String)]
    /// The front end's entries the back-end domain owns (libxl's `ro_fents`).
    public var readOnlyFrontend: [(String, String)]

    public init(kind: PVDeviceKind, domain: DomainID, backendDomain: DomainID, devid: Int,
                backend: [(String, String)], frontend: [(String, String)], readOnlyFrontend: [(String, String)] = []) {
        self.kind = kind
        self.domain = domain
        self.backendDomain = backendDomain
        self.devid = devid
        self.backend = backend
        self.frontend = frontend
        self.readOnlyFrontend = readOnlyFrontend
    }

    public var frontendPath: String { Self.frontendPath(kind, domain: domain, devid: devid) }
    public var backendPath: String { Self.backendPath(kind, domain: domain, backend: backendDomain, devid: devid) }
    public var libxlPath: String { Self.libxlPath(kind, domain: domain, devid: devid) }

    public static func frontendPath(_ kind: PVDeviceKind, domain: DomainID, devid: Int) -> String {
        "/local/domain/\(domain)/device/\(kind.rawValue)/\(devid)"
    }
    public static func backendPath(_ kind: PVDeviceKind, domain: DomainID, backend: DomainID, devid: Int) -> String {
        "/local/domain/\(backend)/backend/\(kind.rawValue)/\(domain)/\(devid)"
    }
    public static func libxlPath(_ kind: PVDeviceKind, domain: DomainID, devid: Int) -> String {
        "/libxl/\(domain)/device/\(kind.rawValue)/\(devid)"
    }
    /// The directory of dom0's records of a domain's devices of one kind.
    public static func libxlDirectory(_ kind: PVDeviceKind, domain: DomainID) -> String { "/libxl/\(domain)/device/\(kind.rawValue)" }

    /// The entries libxl's generic add puts in every back end and front end, before the kind's own.
    static func common(domain: DomainID, backendDomain: DomainID) -> (backend: [(String, String)], frontend: [(String, String)]) {
        ([("frontend-id", String(domain.rawValue)), ("online", "1"), ("state", XenbusState.initialising.node)],
         [("backend-id", String(backendDomain.rawValue)), ("state", XenbusState.initialising.node)])
    }

    /// The guest owns its front end; the back-end domain reads it.
    var frontendPermissions: [XenStorePermission] { [XenStorePermission(.none, domain), XenStorePermission(.read, backendDomain)] }
    /// The back-end domain owns its back end and the front end's read-only entries; the guest reads them.
    var backendPermissions: [XenStorePermission] { [XenStorePermission(.none, backendDomain), XenStorePermission(.read, domain)] }

    /// Writes the three directories in `tx`, as libxl does: the libxl record first, then the front end, then the back end.
    func write(to xenstore: any XenStore, in tx: XenStoreTransaction) throws(XenStoreError) {
        if try xenstore.exists(libxlPath, in: tx) { try xenstore.remove(libxlPath, in: tx) }
        try xenstore.write("\(libxlPath)/frontend", string: frontendPath, in: tx)
        try xenstore.write("\(libxlPath)/backend", string: backendPath, in: tx)
        if try xenstore.exists(frontendPath, in: tx) { try xenstore.remove(frontendPath, in: tx) }
        try xenstore.mkdir(frontendPath, in: tx)
        try xenstore.setPermissions(frontendPath, frontendPermissions, in: tx)
        try xenstore.write("\(frontendPath)/backend", string: backendPath, in: tx)
        for (key, value) in frontend {
            try xenstore.write("\(frontendPath)/\(key)", string: value, in: tx)
            try xenstore.setPermissions("\(frontendPath)/\(key)", frontendPermissions, in: tx)
        }
        for (key, value) in readOnlyFrontend {
            try xenstore.write("\(frontendPath)/\(key)", string: value, in: tx)
            try xenstore.setPermissions("\(frontendPath)/\(key)", backendPermissions, in: tx)
        }
        if try xenstore.exists(backendPath, in: tx) { try xenstore.remove(backendPath, in: tx) }
        try xenstore.mkdir(backendPath, in: tx)
        try xenstore.setPermissions(backendPath, backendPermissions, in: tx)
        try xenstore.write("\(backendPath)/frontend", string: frontendPath, in: tx)
        for (key, value) in backend { try xenstore.write("\(backendPath)/\(key)", string: value, in: tx) }
        for (key, value) in backend { try xenstore.write("\(libxlPath)/\(key)", string: value, in: tx) }
    }

    /// Removes the three directories and the parents they leave empty (libxl's `libxl__xs_path_cleanup`), up to
    /// and including the domain's `device` directory, the back-end domain's `backend` directory and
    /// `/libxl/<domid>/device` (which libxl's clean-up removes with the last device, though create made it).
    static func remove(_ kind: PVDeviceKind, domain: DomainID, backend: DomainID, devid: Int,
                       from xenstore: any XenStore, in tx: XenStoreTransaction) throws(XenStoreError) {
        try xenstore.remove(frontendPath(kind, domain: domain, devid: devid), pruningUpTo: "/local/domain/\(domain)/device", in: tx)
        try xenstore.remove(backendPath(kind, domain: domain, backend: backend, devid: devid), pruningUpTo: "/local/domain/\(backend)/backend", in: tx)
        try xenstore.remove(libxlPath(kind, domain: domain, devid: devid), pruningUpTo: "/libxl/\(domain)/device", in: tx)
    }
}
