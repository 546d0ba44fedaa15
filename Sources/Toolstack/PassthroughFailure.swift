// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// What an errno from a passthrough hypercall of `xl create` means, in Xen's order of checks, for the one line
/// that names the config entry; nil for errnos with nothing to add.
enum PassthroughFailure {
    /// `XEN_DOMCTL_bind_pt_irq`.
    static func irq(_ irq: UInt32, _ errno: Errno, owner: HostDeviceMap.Device?) -> String? {
        let node = owner.map { " (host node \($0.path))" } ?? ""
        switch errno {
        case .EPERM:
            return "dom0 holds no right to IRQ \(irq)\(node): it is no host device's interrupt, or Xen keeps it (the GIC's, its console UART's)"
        case .EBUSY:
            return "IRQ \(irq)\(node) is routed already, to another domain or, when its host node has no xen,passthrough, to dom0 at boot"
        case .EINVAL:
            return "IRQ \(irq) is not an SPI that Xen can route to a guest"
        case .EIO:
            return "Xen has not configured IRQ \(irq)\(node): no host node it booted with describes it"
        default:
            return nil
        }
    }

    /// `XEN_DOMCTL_iomem_permission` and `XEN_DOMCTL_memory_mapping`.
    static func iomem(_ errno: Errno, owner: HostDeviceMap.Device?) -> String? {
        let node = owner.map { " (host node \($0.path))" } ?? ""
        switch errno {
        case .EPERM:
            return "dom0 may not give these pages\(node): Xen keeps them (the GIC, its console UART, RAM)"
        case .EINVAL:
            return "the range lies outside the host's physical address space"
        default:
            return nil
        }
    }

    /// `XEN_DOMCTL_test_assign_device` (`test`) and `XEN_DOMCTL_assign_device`.
    static func dtdev(_ path: String, _ errno: Errno, test: Bool) -> String? {
        switch (errno, test) {
        case (.ESRCH, _):
            return "Xen's host tree has no node \(path)"
        case (.EINVAL, true):
            return "\(path) is assigned already, to another domain or, when it has no xen,passthrough, to dom0 at boot"
        case (.EINVAL, false):
            return "\(path) is not behind an IOMMU (no iommus) or Xen runs this guest without one; drop it from dtdev and pass it with iomem and irqs alone"
        case (.EBUSY, _):
            return "\(path) is assigned to another domain"
        default:
            return nil
        }
    }
}
