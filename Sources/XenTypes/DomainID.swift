// SPDX-License-Identifier: Apache-2.0
/// A Xen domain identifier (`domid_t`).
public struct DomainID: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ value: UInt16) { self.rawValue = value }
    public init(integerLiteral value: UInt16) { self.rawValue = value }

    /// Domain 0, the hardware and control domain.
    public static let dom0: DomainID = 0
    /// `DOMID_FIRST_RESERVED`: ids from here on are not real domains.
    public static let firstReserved: DomainID = 0x7FF0
    /// `DOMID_IO`.
    public static let io: DomainID = 0x7FF1
    /// `DOMID_INVALID`.
    public static let invalid: DomainID = 0x7FF4

    /// Whether this names an ordinary domain rather than a reserved id.
    public var isOrdinary: Bool { rawValue < Self.firstReserved.rawValue }

    public static func < (a: DomainID, b: DomainID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UInt16.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
