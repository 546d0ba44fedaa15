// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The `XEN_SYSCTL_INTERFACE_VERSION` and `XEN_DOMCTL_INTERFACE_VERSION` of each Xen release.
///
/// Xen refuses a sysctl or domctl whose version differs from its own with `EACCES`, so the
/// version sent must be the running hypervisor's, not the one of the headers we built with.
public enum InterfaceVersions {
    /// `XEN_SYSCTL_INTERFACE_VERSION`; `nil` for releases we have no table entry for.
    public static func sysctl(for release: XenVersion) -> UInt32? {
        guard release >= .v4_17, release.major == 4 else { return nil }
        return release >= .v4_21 ? 0x16 : 0x15
    }

    /// `XEN_DOMCTL_INTERFACE_VERSION`; `nil` for releases we have no table entry for.
    public static func domctl(for release: XenVersion) -> UInt32? {
        guard release >= .v4_17, release.major == 4 else { return nil }
        switch release.minor {
        case 17: return 0x15
        case 18: return 0x16
        case 19, 20, 21: return 0x17
        default: return 0x18
        }
    }
}
