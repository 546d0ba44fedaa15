// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// One hypercall ready for a transport: the hypercall number, the `xen_sysctl`/`xen_domctl`
/// envelope as little-endian bytes, and a buffer whose guest handle the transport fills in.
public struct HypercallRequest: Hashable, Sendable {
    /// `__HYPERVISOR_sysctl` (35), `__HYPERVISOR_domctl` (36) or `__HYPERVISOR_xen_version` (17).
    public var hypercall: Int
    /// The envelope (for `xen_version`, the argument buffer). The eight bytes at ``handleOffset`` are
    /// zero until the transport patches in the address of its copy of ``buffer``.
    public var envelope: [UInt8]
    /// Where the `XEN_GUEST_HANDLE_64` for ``buffer`` sits in ``envelope``; nil when the call has no buffer.
    public var handleOffset: Int?
    /// The data the handle points at (the overlay blob, the console text).
    public var buffer: [UInt8]
    /// The argument passed before the envelope's address: `xen_version`'s sub-command; nil for one-argument calls.
    public var command: UInt64? = nil

    public static let sysctl = 35
    public static let domctl = 36
    public static let xenVersion = 17
}

/// The encodings of `XEN_SYSCTL_dt_overlay` (30) and `XEN_DOMCTL_dt_overlay` (87) for ARM64.
///
/// Payload (unchanged 4.18 to 4.23): `overlay_fdt` handle u64 @0, `overlay_fdt_size` u32 @8,
/// `overlay_op` u8 @12, `pad[3]` @13. `struct xen_sysctl` is 136 bytes with the payload at 8;
/// `struct xen_domctl` is 144 bytes with `domain` u16 at 8 and the payload at 16.
public enum DTOverlayHypercall {
    public static let sysctlCommand: UInt32 = 30
    public static let domctlCommand: UInt32 = 87
    public static let sysctlSize = 136
    public static let domctlSize = 144
    /// `XEN_DOMCTL_DT_OVERLAY_ATTACH`.
    public static let attachOperation: UInt8 = 1

    /// The sysctl that adds or removes `blob` on `release`; throws `ENOSYS` before 4.18.
    public static func sysctl(_ operation: DTOverlayOperation, blob: [UInt8], release: XenVersion) throws(HypervisorError) -> HypercallRequest {
        let name = "XEN_SYSCTL_dt_overlay"
        guard release >= .v4_18, let version = InterfaceVersions.sysctl(for: release) else {
            throw HypervisorError(name, errno: .ENOSYS)
        }
        var envelope = [UInt8](repeating: 0, count: sysctlSize)
        put(sysctlCommand, at: 0, in: &envelope)
        put(version, at: 4, in: &envelope)
        put(UInt32(blob.count), at: 16, in: &envelope)
        envelope[20] = operation.rawValue
        return HypercallRequest(hypercall: HypercallRequest.sysctl, envelope: envelope, handleOffset: 8, buffer: blob)
    }

    /// The domctl that attaches `blob`'s devices to `domain` on `release`; throws `ENOSYS` before 4.19.
    public static func domctlAttach(blob: [UInt8], domain: DomainID, release: XenVersion) throws(HypervisorError) -> HypercallRequest {
        let name = "XEN_DOMCTL_dt_overlay"
        guard release >= .v4_19, let version = InterfaceVersions.domctl(for: release) else {
            throw HypervisorError(name, errno: .ENOSYS)
        }
        var envelope = [UInt8](repeating: 0, count: domctlSize)
        put(domctlCommand, at: 0, in: &envelope)
        put(version, at: 4, in: &envelope)
        envelope[8] = UInt8(domain.rawValue & 0xFF)
        envelope[9] = UInt8(domain.rawValue >> 8)
        put(UInt32(blob.count), at: 24, in: &envelope)
        envelope[28] = attachOperation
        return HypercallRequest(hypercall: HypercallRequest.domctl, envelope: envelope, handleOffset: 16, buffer: blob)
    }

    private static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<4 { bytes[offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) }
    }
}
