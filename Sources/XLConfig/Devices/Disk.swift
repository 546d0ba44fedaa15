/// One `disk=` entry or `xl block-attach` spec (xl-disk-configuration(5)), as libxl's `libxl_device_disk`
/// holds it after parsing.
public struct Disk: Hashable, Sendable, Codable {
    /// `target`: the file, device or other source in dom0 (or in the backend domain); nil for an empty CD-ROM.
    public var target: String?
    /// `vdev`: the virtual device the guest sees (`xvda`, `hda`, `sdb1`, ...).
    public var vdev: String
    /// `format`: nil for libxl's default (raw).
    public var format: DiskFormat?
    /// `access`: read-write unless `access=ro` (or `r`).
    public var readWrite: Bool = true
    /// `devtype=cdrom`.
    public var isCDROM: Bool = false
    /// `backendtype`: nil to let libxl choose (phy for a device or raw file, qdisk otherwise).
    public var backendType: DiskBackendType?
    /// `backend`: the domain (name or id) that serves the disk; nil for dom0.
    public var backend: String?
    /// `script`: the block hotplug script; nil for `block`.
    public var script: String?
    /// `discard` / `no-discard`; nil for libxl's default.
    public var discard: Bool?
    /// `direct-io-safe`.
    public var directIOSafe: Bool = false
    /// `specification`: `xen` (the PV protocol) or `virtio`.
    public var specification: DiskSpecification?
    /// `trusted` / `untrusted`; nil for libxl's default.
    public var trusted: Bool?

    public init(target: String?, vdev: String) {
        self.target = target
        self.vdev = vdev
    }
}

/// `format=` of a disk, with libxl's names.
public enum DiskFormat: String, Hashable, Sendable, Codable, CaseIterable {
    case raw, qcow, qcow2, vhd, qed
    /// An empty CD-ROM drive.
    case empty
}

/// `backendtype=` of a disk: blkback (`phy`), QEMU's `qdisk`, or the user-space `tap`.
public enum DiskBackendType: String, Hashable, Sendable, Codable, CaseIterable {
    case phy, qdisk, tap, standalone
}

/// `specification=` of a disk: the Xen PV block protocol or virtio.
public enum DiskSpecification: String, Hashable, Sendable, Codable, CaseIterable {
    case xen, virtio
}
