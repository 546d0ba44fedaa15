// SPDX-License-Identifier: Apache-2.0
/// A kind of PV device `xl` sets up, named as in xenstore (libxl's `LIBXL__DEVICE_KIND_*`).
public enum PVDeviceKind: String, Sendable, CaseIterable {
    /// A network interface, served by netback.
    case vif
    /// A block device, served by blkback.
    case vbd
}
