// SPDX-License-Identifier: Apache-2.0
/// One `disk=` entry of an `xl.cfg` file, or the argument of `xl block-attach`: libxl's `device_disk`.
public struct Disk: Hashable, Sendable, Codable {
    /// `target=` or the first positional parameter: the file, device or other source; nil when not given
    /// (only a removable drive may lack it), `""` for an empty drive written as `,,hdc:cdrom`.
    public var target: String?
    /// `vdev=`: the guest's name for the disk, such as `xvda`.
    public var vdev: String
    /// `format=`, or the format a legacy prefix names; the parser always sets it (raw by default, empty for an
    /// empty CD-ROM drive); nil only in a value built by hand.
    public var format: DiskFormat?
    /// `access=`: false for `ro`.
    public var readWrite: Bool = true
    /// `devtype=cdrom` (or `cdrom`, or `VDEV:cdrom`): a removable, read-only drive.
    public var isCDROM: Bool = false
    /// `backendtype=`; nil to let libxl choose from the format and target.
    public var backendType: DiskBackendType?
    /// `backend=`: the back-end domain, by name or id; nil for dom0.
    public var backendDomain: String?
    /// `script=`: the block hotplug script; nil for `block`.
    public var script: String?
    /// `discard`/`no-discard`; nil when not given.
    public var discard: Bool?
    /// `direct-io-safe`.
    public var directIOSafe: Bool = false
    /// `specification=`; nil for `xen`.
    public var specification: DiskSpecification?
    /// `trusted`/`untrusted`; nil when not given (Xen 4.22; 4.17 does not know them).
    public var trusted: Bool?
    /// `grant_usage=1`/`grant_usage=0` (virtio disks); nil when not given (Xen 4.22; 4.17 does not know it).
    public var grantUsage: Bool?

    public init(vdev: String) {
        self.vdev = vdev
    }
}

/// A disk image's format: libxl's `disk_format`.
public enum DiskFormat: String, Hashable, Sendable, Codable {
    case raw, qcow, qcow2, vhd, qed, empty
}

/// The kind of back end serving a disk: libxl's `disk_backend`.
public enum DiskBackendType: String, Hashable, Sendable, Codable {
    /// Kernel blkback on a block device (a file goes through a loop device).
    case phy
    /// blktap.
    case tap
    /// QEMU's PV disk back end.
    case qdisk
    /// Only the xenstore entries; the back end is someone else's.
    case standalone
}

/// The protocol the guest sees a disk through: libxl's `disk_specification`.
public enum DiskSpecification: String, Hashable, Sendable, Codable {
    case xen, virtio
}
