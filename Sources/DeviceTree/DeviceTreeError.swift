// SPDX-License-Identifier: Apache-2.0
import XenSys

/// A device tree that cannot be used: one line naming the node or property at fault.
public struct DeviceTreeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The libfdt failure behind it, when there is one.
    public var fdt: FDTError?

    public init(_ message: String, fdt: FDTError? = nil) {
        self.message = message
        self.fdt = fdt
    }
    public var description: String { message }
}
