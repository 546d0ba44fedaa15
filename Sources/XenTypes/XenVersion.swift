// SPDX-License-Identifier: Apache-2.0
/// A Xen hypervisor release, `major.minor`, as `XENVER_version` reports it.
public struct XenVersion: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `4.19` (a third component, as in `4.19.1`, is ignored).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]),
            (0...255).contains(major), (0...255).contains(minor)
        else { return nil }
        self.init(major, minor)
    }

    /// Decodes the packed `(major << 16) | minor` word that `XENVER_version` returns.
    public init(packed: UInt32) { self.init(Int(packed >> 16), Int(packed & 0xFFFF)) }

    public static let v4_17 = XenVersion(4, 17)
    public static let v4_18 = XenVersion(4, 18)
    public static let v4_19 = XenVersion(4, 19)
    public static let v4_20 = XenVersion(4, 20)
    public static let v4_21 = XenVersion(4, 21)
    public static let v4_22 = XenVersion(4, 22)

    public static func < (a: XenVersion, b: XenVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = XenVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad Xen version \(text)"))
        }
        self = v
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
