// SPDX-License-Identifier: Apache-2.0
/// The `xl.cfg` keys upstream's xl reads (`tools/xl/xl_parse.c`), sorted by what they mean for this xl:
/// keys upstream acts on for an ARM PVH guest that this xl does not implement (refused, so that no guest
/// boots without the disk or network its file asks for), and keys upstream reads but ignores for ARM PVH
/// guests (x86, HVM and PV-only settings; accepted, noted with `-v`). Any other key is unknown to xl, and
/// is warned about with the nearest known key.
public enum UpstreamKeys {
    /// Keys upstream acts on for an ARM PVH guest, each with what it sets up.
    public static let lacking: [String: String] = [
        "vtpm": "virtual TPMs", "vkb": "virtual keyboards",
        "vfb": "virtual framebuffers", "p9": "9pfs shares", "pvcalls": "PV calls back ends", "channel": "PV channels",
        "vdispl": "virtual displays", "vsnd": "virtual sound cards", "virtio": "virtio devices", "usbctrl": "USB controllers",
        "usbdev": "USB devices", "pci": "PCI passthrough", "cpus": "hard vCPU affinity", "cpus_soft": "soft vCPU affinity",
        "maxvcpus": "more vCPUs than start online", "pool": "the cpupool", "cpu_weight": "the credit scheduler's weight",
        "cap": "the credit scheduler's cap", "period": "scheduler periods", "slice": "scheduler slices",
        "latency": "scheduler latency", "extratime": "scheduler extra time", "seclabel": "the XSM label",
        "init_seclabel": "the XSM build label", "max_grant_frames": "the grant table size",
        "max_maptrack_frames": "the maptrack size", "max_grant_version": "the grant table version",
        "max_event_channels": "the event channel limit", "driver_domain": "a driver domain", "tee": "a TEE mediator", "sve": "SVE vector length", "llc_colors": "cache colouring",
        "arm_sci": "SCI mediation", "trap_unmapped_accesses": "trapping of unmapped accesses", "vpmu": "the virtual PMU",
        "acpi": "ACPI tables for the guest", "vnuma": "virtual NUMA", "shadow_memory": "the P2M pool size",
        "vmtrace_buf_kb": "VM tracing buffers", "xenstore_feature_mask": "xenstore features",
        "xenstore_quota": "xenstore quotas", "dm_restrict": "device model restrictions",
        "device_model_override": "the device model", "device_model_version": "the device model",
        "device_model_args": "device model arguments", "device_model_user": "the device model's user",
    ]

    /// Keys upstream reads but ignores for an ARM PVH guest.
    public static let ignoredOnARM: Set<String> = [
        "acpi_firmware", "acpi_laptop_slate", "acpi_s3", "acpi_s4", "altp2m", "altp2m_count", "altp2mhvm", "apic", "bios",
        "bios_path_override", "boot", "bootloader", "bootloader_args", "bootloader_restrict", "bootloader_user", "builder",
        "cpuid", "device_model", "device_model_stubdomain_override", "device_model_stubdomain_seclabel", "display",
        "e820_host", "firmware", "firmware_override", "gfx_passthru", "hap", "hdtype", "hpet", "hvm_pirq", "ioports",
        "keymap", "localtime", "mca_caps", "mmio_hole", "ms_vm_genid", "msr_relaxed", "nestedhvm", "nographic", "nomigrate",
        "nx", "oos", "opengl", "pae", "pci_msitranslate", "pci_permissive", "pci_power_mgmt", "pci_seize", "pvshim",
        "pvshim_cmdline", "pvshim_extra", "pvshim_path", "rdm", "rdm_mem_boundary", "rtc_timeoffset", "sdl", "serial",
        "smbios", "smbios_firmware", "soundhw", "spice", "spice_clipboard_sharing", "spice_image_compression",
        "spice_streaming_video", "spiceagent_mouse", "spicedisable_ticketing", "spicehost", "spicepasswd", "spiceport",
        "spicetls_port", "spiceusbredirection", "spicevdagent", "stdvga", "stubdomain_cmdline", "stubdomain_kernel",
        "stubdomain_memory", "stubdomain_ramdisk", "timer_mode", "tsc_mode", "usb", "usbdevice", "usbversion",
        "vendor_device", "vga", "videoram", "vif2", "viridian", "vkb_device", "vnc", "vncdisplay", "vnclisten", "vncpasswd",
        "vncunused", "vncviewer", "vpt_align", "xauthority", "xen_platform_pci", "xen_platform_pci_bar_uc",
        "xend_suspend_evtchn_compat",
    ]

    /// The known key nearest to `key` (at most two edits away, the first in sorted order on a tie), to suggest for a typo.
    public static func nearest(to key: String, among known: some Sequence<String>) -> String? {
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(key, candidate, limit: 2)
            guard distance <= 2 else { continue }
            if let best, distance > best.distance || (distance == best.distance && candidate > best.key) { continue }
            best = (candidate, distance)
        }
        return best?.key
    }

    /// Levenshtein distance, or `limit + 1` once it must exceed `limit`.
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard abs(a.count - b.count) <= limit, a.count <= 64, b.count <= 64 else { return limit + 1 }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var smallest = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                smallest = min(smallest, current[j])
            }
            // Every later row is at least this row's smallest entry.
            if smallest > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return min(previous[b.count], limit + 1)
    }
}
