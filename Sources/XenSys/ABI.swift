// SPDX-License-Identifier: Apache-2.0
import CXen

/// Sizes and offsets of the hypercall envelopes in the installed Xen headers, for cross-checking hand-written layouts.
public enum ABI {
    /// `sizeof(struct xen_sysctl)`.
    public static let sysctlSize = MemoryLayout<xen_sysctl>.size
    /// `sizeof(struct xen_domctl)`.
    public static let domctlSize = MemoryLayout<xen_domctl>.size
    /// `offsetof(struct xen_sysctl, u)`.
    public static let sysctlPayloadOffset = MemoryLayout<xen_sysctl>.offset(of: \xen_sysctl.u)
    /// `offsetof(struct xen_domctl, u)`.
    public static let domctlPayloadOffset = MemoryLayout<xen_domctl>.offset(of: \xen_domctl.u)
    /// `offsetof(struct xen_domctl, domain)`.
    public static let domctlDomainOffset = MemoryLayout<xen_domctl>.offset(of: \xen_domctl.domain)
    /// Offsets in `struct xen_sysctl_physinfo` of `cpu_khz`, `arch_capabilities`, `total_pages`, `outstanding_pages`,
    /// `max_mfn` and `hw_cap`, and its size.
    public static let physinfoOffsets = [
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.cpu_khz),
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.arch_capabilities),
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.total_pages),
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.outstanding_pages),
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.max_mfn),
        MemoryLayout<xen_sysctl_physinfo>.offset(of: \xen_sysctl_physinfo.hw_cap),
    ]
    public static let physinfoSize = MemoryLayout<xen_sysctl_physinfo>.size
    /// Offsets in `struct xen_sysctl_readconsole` of `index`, `buffer` and `count`.
    public static let readconsoleOffsets = [
        MemoryLayout<xen_sysctl_readconsole>.offset(of: \xen_sysctl_readconsole.index),
        MemoryLayout<xen_sysctl_readconsole>.offset(of: \xen_sysctl_readconsole.buffer),
        MemoryLayout<xen_sysctl_readconsole>.offset(of: \xen_sysctl_readconsole.count),
    ]
    /// The sizes of `xen_compile_info_t`, `xen_capabilities_info_t`, `xen_changeset_info_t`, `xen_extraversion_t`,
    /// `xen_platform_parameters_t` and `xen_commandline_t`.
    public static let versionBufferSizes = [
        MemoryLayout<xen_compile_info_t>.size, MemoryLayout<xen_capabilities_info_t>.size, MemoryLayout<xen_changeset_info_t>.size,
        MemoryLayout<xen_extraversion_t>.size, MemoryLayout<xen_platform_parameters_t>.size, MemoryLayout<xen_commandline_t>.size,
    ]
}
