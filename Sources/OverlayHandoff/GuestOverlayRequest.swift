// SPDX-License-Identifier: Apache-2.0
/// Normal mode's description of an overlay for the guest: its name, its kind and, for FPGA, full or partial.
///
/// Both halves of the hand-off parse it with the same rules: `xl` from its arguments, the guest
/// from the values dom0 wrote.
public struct GuestOverlayRequest: Hashable, Sendable {
    /// How the guest applies the overlay.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A configfs device-tree overlay.
        case normal
        /// An FPGA bitstream overlay through the fpga-manager.
        case fpga
    }

    /// The configfs item name the guest uses.
    public var name: String
    public var kind: Kind
    /// A partial FPGA reconfiguration; only `fpga` can be partial.
    public var partial: Bool

    /// The longest name the guest's configfs item and the hand-off accept.
    public static let maximumNameLength = 63

    /// Parses `NODE_NAME TYPE PARTIAL`; throws a one-line explanation of the first bad value.
    public init(name: String, type: String, partial: String) throws(HandoffError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a) || byte == 0x2d || byte == 0x5f || byte == 0x2e
        }
        guard !name.isEmpty, name.utf8.count <= Self.maximumNameLength, allowed, !name.hasPrefix(".") else {
            throw HandoffError("NODE_NAME \"\(name)\": give 1 to \(Self.maximumNameLength) letters, digits, '.', '-' or '_', not starting with '.'")
        }
        guard let kind = Kind(rawValue: type) else {
            throw HandoffError("TYPE \"\(type)\": give normal or fpga")
        }
        guard partial == "0" || partial == "1" else {
            throw HandoffError("PARTIAL \"\(partial)\": give 0 (full) or 1 (partial)")
        }
        guard kind == .fpga || partial == "0" else {
            throw HandoffError("PARTIAL 1 applies only to TYPE fpga")
        }
        self.name = name
        self.kind = kind
        self.partial = partial == "1"
    }
}

extension GuestOverlayRequest {
    /// The PARTIAL argument: `0` or `1`.
    public var partialText: String { partial ? "1" : "0" }
}
