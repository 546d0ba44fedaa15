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
}
