// SPDX-License-Identifier: Apache-2.0
/// A property: its name and raw big-endian value, with readers for the usual encodings.
public struct DeviceTreeProperty: Hashable, Sendable {
    public var name: String
    public var value: [UInt8]
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == UInt8 {
    /// The value as 32-bit big-endian cells; `nil` when its length is not a multiple of 4.
    public var deviceTreeCells: [UInt32]? {
        guard count % 4 == 0 else { return nil }
        return stride(from: 0, to: count, by: 4).map { (i: Int) -> UInt32 in
            var cell: UInt32 = 0
            for byte in self[i..<(i + 4)] { cell = cell << 8 | UInt32(byte) }
            return cell
        }
    }

    /// The value as NUL-terminated strings; `nil` when it is not one or more such strings.
    public var deviceTreeStrings: [String]? {
        guard let last = last, last == 0 else { return nil }
        return split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value as one NUL-terminated string.
    public var deviceTreeString: String? {
        guard let strings = deviceTreeStrings, strings.count == 1 else { return nil }
        return strings[0]
    }

    /// Encodes cells big-endian.
    public static func deviceTreeCells(_ cells: [UInt32]) -> [UInt8] {
        cells.flatMap { [UInt8($0 >> 24), UInt8(($0 >> 16) & 0xFF), UInt8(($0 >> 8) & 0xFF), UInt8($0 & 0xFF)] }
    }

    /// Encodes NUL-terminated strings.
    public static func deviceTreeStrings(_ strings: [String]) -> [UInt8] {
        strings.flatMap { Array($0.utf8) + [0] }
    }
}
