// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// Turns an errno from the overlay hypercalls into what it most likely means.
///
/// Xen returns some libfdt codes as if they were errnos (`-FDT_ERR_NOTFOUND` arrives as EPERM,
/// `-FDT_ERR_BADPHANDLE` as ENXIO, `-FDT_ERR_NOSPACE` as ESRCH, `-FDT_ERR_BADOVERLAY` as EBUSY),
/// so each explanation names both readings where they collide.
enum OverlayHypercallFailure {
    enum Step: String {
        case add, remove, attach
    }

    static func message(_ error: HypervisorError, step: Step, file: String) -> String {
        let call = step == .attach ? "XEN_DOMCTL_dt_overlay" : "XEN_SYSCTL_dt_overlay"
        return "dt-overlay \(step.rawValue) \(file): Xen refused \(call) with \(error.errno): \(meaning(error.errno, step))"
    }

    private static func meaning(_ errno: Errno, _ step: Step) -> String {
        switch (errno, step) {
        case (.ENOSYS, _):
            return "this Xen does not have this hypercall (overlays need Xen 4.18, attach needs 4.19)"
        case (.EOPNOTSUPP, .attach):
            return "the domain is not direct-mapped, or Xen was built without CONFIG_OVERLAY_DTB"
        case (.EOPNOTSUPP, _):
            return "Xen was built without CONFIG_OVERLAY_DTB (an UNSUPPORTED option)"
        case (.EACCES, _):
            return "Xen rejected the interface version; this xl does not match the running hypervisor"
        case (.EPERM, _):
            return "a fragment's target was not found in Xen's device tree (libfdt FDT_ERR_NOTFOUND), or XSM denied the call"
        case (.ENXIO, _):
            return "Xen could not resolve a phandle target (libfdt FDT_ERR_BADPHANDLE); before 4.22 only target-path works"
        case (.ESRCH, .attach):
            return "the domain does not exist"
        case (.ESRCH, _):
            return "Xen ran out of room for the merged tree (libfdt FDT_ERR_NOSPACE)"
        case (.EBUSY, .attach):
            return "a device or IRQ of the overlay is already assigned to another domain"
        case (.EBUSY, _):
            return "libfdt rejected the overlay's structure (FDT_ERR_BADOVERLAY)"
        case (.ENOMEM, .add):
            return "the overlay adds no nodes (Xen supports only overlays that add nodes), or Xen is out of memory"
        case (.EEXIST, _):
            return "the overlay is already attached"
        case (.EINVAL, .add):
            return "a node of the overlay already exists in Xen's device tree, or its parent is missing"
        case (.EINVAL, .remove):
            return "Xen has no overlay with exactly these bytes, or a domU still uses its devices"
        case (.EINVAL, .attach):
            return "Xen has no overlay with exactly these bytes, or the domain has no IOMMU for its devices"
        case (.ENODEV, _):
            return "a node of the overlay is no longer in Xen's device tree"
        default:
            return errno.message
        }
    }
}
