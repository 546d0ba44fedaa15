// SPDX-License-Identifier: Apache-2.0
/// The states of a PV device's front and back ends (`xen/include/public/io/xenbus.h`).
public enum XenbusState: Int, Sendable, CaseIterable {
    case unknown = 0, initialising = 1, initWait = 2, initialised = 3, connected = 4, closing = 5, closed = 6
    case reconfiguring = 7, reconfigured = 8

    /// Parses a `state` node as a domain wrote it: one to three decimal digits naming a known state, nothing
    /// else (no sign, no spaces, no trailing bytes); nil for anything a well-behaved driver does not write.
    public init?(node bytes: [UInt8]) {
        guard let number = GuestWrittenValue.unsigned(bytes, maxDigits: 3) else { return nil }
        self.init(rawValue: Int(number))
    }

    /// The number as the drivers write it.
    public var node: String { String(rawValue) }
}
