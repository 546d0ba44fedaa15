// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// Whole-file access for ``DomainUserdata``; `LocalFiles` (XenSys) on a host.
public protocol UserdataFiles: AnyObject {
    /// The file's bytes; nil when it does not exist.
    func read(_ path: String) throws(Errno) -> [UInt8]?
    /// Writes `bytes` to `temporary` with `mode`, then renames it to `path`.
    func replace(_ path: String, via temporary: String, with bytes: [UInt8], mode: UInt32) throws(Errno)
    /// Removes the file; one that does not exist is not an error.
    func remove(_ path: String) throws(Errno)
}

/// libxl's per-domain userdata in `XEN_LIB_DIR` (`/var/lib/xen`): the configuration record
/// `userdata-d.<domid>.<uuid>.libxl-json` that upstream's `xl list -l`, `xl network-attach` and `xen-init-list` read.
/// As `libxl__userdata_store`, a record is written to `userdata-n.…` (mode 0600) and renamed over `userdata-d.…`,
/// and holds the JSON with its terminating NUL.
public struct DomainUserdata {
    /// Upstream's `XEN_LIB_DIR`.
    public static let defaultDirectory = "/var/lib/xen"
    /// The userdata id of the configuration record.
    public static let configRecord = "libxl-json"
    /// The mode libxl creates the files with.
    public static let mode: UInt32 = 0o600
    /// The largest record read (libxl's are a few KiB).
    public static let maxBytes = 1 << 20

    public let directory: String
    public let files: any UserdataFiles

    public init(directory: String, files: any UserdataFiles) {
        self.directory = directory
        self.files = files
    }

    /// `libxl__userdata_path`: `DIR/userdata-<wh>.<domid>.<uuid>.<id>`.
    public func path(_ domain: DomainID, uuid: String, _ wh: Character = "d", id: String = configRecord) -> String {
        "\(directory)/userdata-\(wh).\(domain.rawValue).\(uuid).\(id)"
    }

    /// Writes the domain's configuration record.
    public func store(_ json: String, _ domain: DomainID, uuid: String) throws(Errno) {
        try files.replace(path(domain, uuid: uuid), via: path(domain, uuid: uuid, "n"), with: Array(json.utf8) + [0], mode: Self.mode)
    }

    /// The domain's configuration record without its terminating NUL; nil when there is none, it is larger than
    /// ``maxBytes``, or it is not UTF-8.
    public func retrieve(_ domain: DomainID, uuid: String) throws(Errno) -> String? {
        guard let bytes = try files.read(path(domain, uuid: uuid)), bytes.count <= Self.maxBytes else { return nil }
        var text = bytes[...]
        while text.last == 0 { text = text.dropLast() }
        return String(validating: Array(text), as: UTF8.self)
    }

    /// Removes the record and a temporary one a stopped writer left (`libxl__userdata_destroyall` for this id).
    public func remove(_ domain: DomainID, uuid: String) throws(Errno) {
        try files.remove(path(domain, uuid: uuid))
        try files.remove(path(domain, uuid: uuid, "n"))
    }
}
