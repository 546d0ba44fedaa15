// SPDX-License-Identifier: Apache-2.0
/// A `vif=` or `disk=` spec this xl refuses: the spec, the key at fault and what to write instead, on one line.
public struct DeviceSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `vif` or `disk`.
    public var device: String
    /// The whole spec as written.
    public var spec: String
    /// The key (or positional parameter) at fault.
    public var key: String
    /// What is wrong and what to write instead.
    public var message: String

    public init(device: String, spec: String, key: String, message: String) {
        self.device = device
        self.spec = spec
        self.key = key
        self.message = message
    }

    /// `vif "mac=zz": mac: expected …`, on one line (control characters in the spec are escaped).
    public var description: String { "\(device) \(detail)" }

    /// `"mac=zz": mac: expected …`: the description without the device, for a message that names it already.
    /// A spec longer than ``shownCharacters`` is cut short with `...`.
    public var detail: String {
        let shown = spec.count > Self.shownCharacters ? ConfigQuoting.quoted(String(spec.prefix(Self.shownCharacters))) + "..." : ConfigQuoting.quoted(spec)
        return "\(shown): \(key): \(message)"
    }

    /// Most characters of the spec a message shows.
    public static let shownCharacters = 200
}
