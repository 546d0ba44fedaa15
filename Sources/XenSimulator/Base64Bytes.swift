// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials

/// A byte blob (a device tree, an overlay, a page) kept in `host.json` as one base64 string: a third of a byte
/// of overhead per byte, where a JSON array of numbers costs about three, and read back without a parse per byte.
/// It also reads the arrays of numbers that hosts saved before.
@propertyWrapper
public struct Base64Bytes: Hashable, Sendable, Codable {
    public var wrappedValue: [UInt8]

    public init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = try Self.decode(container)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(wrappedValue).base64EncodedString())
    }

    static func decode(_ container: any SingleValueDecodingContainer) throws -> [UInt8] {
        guard let text = try? container.decode(String.self) else { return try container.decode([UInt8].self) }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64")
        }
        return Array(data)
    }
}

/// ``Base64Bytes`` for a blob that may be absent (`null` or no key at all).
@propertyWrapper
public struct OptionalBase64Bytes: Hashable, Sendable, Codable {
    public var wrappedValue: [UInt8]?

    public init(wrappedValue: [UInt8]?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try Base64Bytes.decode(container)
    }

    public func encode(to encoder: any Encoder) throws {
        if let wrappedValue { return try Base64Bytes(wrappedValue: wrappedValue).encode(to: encoder) }
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

extension KeyedDecodingContainer {
    /// A missing key reads as no blob, as it does for a plain optional property.
    public func decode(_ type: OptionalBase64Bytes.Type, forKey key: Key) throws -> OptionalBase64Bytes {
        try decodeIfPresent(type, forKey: key) ?? OptionalBase64Bytes(wrappedValue: nil)
    }
}

extension KeyedEncodingContainer {
    /// No blob writes no key, as a plain optional property does.
    public mutating func encode(_ value: OptionalBase64Bytes, forKey key: Key) throws {
        if value.wrappedValue != nil { try encodeIfPresent(value, forKey: key) }
    }
}
