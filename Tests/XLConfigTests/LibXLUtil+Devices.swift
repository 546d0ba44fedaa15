// SPDX-License-Identifier: Apache-2.0
import CXLUtil
import Glibc
import XLConfig

/// libxlutil's device-spec parsers (`xlu_disk_parse`, `xlu_vif_parse_rate`) as oracles for ours.
extension LibXLUtil {
    /// The disk `xlu_disk_parse` makes of `spec` in our type, or nil when it refuses the spec.
    /// libxlutil 4.17's disk has no `grant_usage`, so that stays nil; COLO fields are reported in `colo`.
    static func disk(_ spec: String) -> (disk: Disk?, colo: Bool) {
        guard let report = tmpfile() else { return (nil, false) }
        defer { fclose(report) }
        guard let config = xlu_cfg_init(report, "oracle") else { return (nil, false) }
        defer { xlu_cfg_destroy(config) }
        var disk = libxl_device_disk()
        libxl_device_disk_init(&disk)
        defer { libxl_device_disk_dispose(&disk) }
        let status = spec.withCString { text -> Int32 in
            var pointer: UnsafePointer<CChar>? = text
            return withUnsafePointer(to: &pointer) { xlu_disk_parse(config, 1, $0, &disk) }
        }
        let colo = disk.colo_enable.val != 0 || disk.colo_host != nil || disk.colo_port != 0 || disk.colo_export != nil
            || disk.active_disk != nil || disk.hidden_disk != nil
        guard status == 0, let vdev = disk.vdev else { return (nil, colo) }
        var result = Disk(vdev: String(cString: vdev))
        result.target = disk.pdev_path.map { String(cString: $0) }
        result.backendDomain = disk.backend_domname.map { String(cString: $0) }
        result.script = disk.script.map { String(cString: $0) }
        result.format = [1: .qcow, 2: .qcow2, 3: .vhd, 4: .raw, 5: .empty, 6: .qed][disk.format.rawValue]
        result.backendType = [1: .phy, 2: .tap, 3: .qdisk, 4: .standalone][disk.backend.rawValue]
        result.specification = [1: .xen, 2: .virtio][disk.specification.rawValue]
        result.readWrite = disk.readwrite != 0
        result.isCDROM = disk.is_cdrom != 0
        result.directIOSafe = disk.direct_io_safe
        result.discard = defbool(disk.discard_enable)
        result.trusted = defbool(disk.trusted)
        return (result, colo)
    }

    /// `xlu_vif_parse_rate`'s (bytes per interval, interval in µs), or nil when it refuses the rate.
    static func rate(_ text: String) -> NetworkRate? {
        guard let report = tmpfile() else { return nil }
        defer { fclose(report) }
        guard let config = xlu_cfg_init(report, "oracle") else { return nil }
        defer { xlu_cfg_destroy(config) }
        var nic = libxl_device_nic()
        libxl_device_nic_init(&nic)
        defer { libxl_device_nic_dispose(&nic) }
        errno = 0
        guard xlu_vif_parse_rate(config, text, &nic) == 0 else { return nil }
        return NetworkRate(bytesPerInterval: nic.rate_bytes_per_interval, intervalMicroseconds: nic.rate_interval_usecs)
    }

    private static func defbool(_ value: libxl_defbool) -> Bool? { value.val == 0 ? nil : value.val > 0 }
}
