// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XenStoreClient

/// `xenstore.json`, the in-file xenstore: a ``XenStoreTree`` with every node value in base64 (``Base64Bytes``;
/// the arrays of numbers of earlier hosts are read too). It is written by hand: a shared xenstore is written
/// after every change, and filling a buffer directly is many times faster than `JSONEncoder`. Paths in sorted
/// order, so the same tree always gives the same bytes.
public enum XenStoreTreeJSON {
    /// The tree a `xenstore.json` holds.
    public static func decode(_ data: Data) throws -> XenStoreTree {
        let file = try JSONDecoder().decode(File.self, from: data)
        var tree = XenStoreTree()
        tree.nodes = file.nodes.mapValues { XenStoreTree.Node(value: $0.value, permissions: $0.permissions, children: $0.children) }
        tree.introduced = file.introduced
        tree.releases = file.releases
        return tree
    }

    private struct File: Decodable {
        var nodes: [String: FileNode]
        var introduced: [XenStoreTree.Introduction]?
        var releases: UInt64?
    }

    private struct FileNode: Decodable {
        @Base64Bytes var value: [UInt8]
        var permissions: [XenStorePermission]
        var children: [String]
    }

    /// The bytes of `xenstore.json` for `tree`.
    public static func encode(_ tree: XenStoreTree) -> [UInt8] {
        let paths = tree.nodes.keys.sorted()
        // An upper bound: every byte of a value takes at most two characters (base64, 4 per 3, plus padding), a name
        // escaped at most six per byte.
        var capacity = 64 + (tree.introduced?.count ?? 0) * 80
        for path in paths {
            guard let node = tree.nodes[path] else { continue }
            capacity += 80 + 6 * path.utf8.count + node.value.count * 2 + 4 + node.permissions.count * 40
            capacity += node.children.reduce(0) { $0 + 6 * $1.utf8.count + 3 }
        }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var writer = Writer(base: buffer.baseAddress!)
            writer.text("{")
            if let introduced = tree.introduced {
                writer.text("\"introduced\":[")
                for (index, entry) in introduced.enumerated() {
                    if index > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.text("{\"domain\":")
                    writer.number(UInt64(entry.domain.rawValue))
                    writer.text(",\"eventChannel\":")
                    writer.number(UInt64(entry.eventChannel))
                    writer.text(",\"mfn\":")
                    writer.number(entry.mfn)
                    writer.text("}")
                }
                writer.text("],")
            }
            if let releases = tree.releases {
                writer.text("\"releases\":")
                writer.number(releases)
                writer.text(",")
            }
            writer.text("\"nodes\":{")
            var first = true
            for path in paths {
                guard let node = tree.nodes[path] else { continue }
                if !first { writer.byte(UInt8(ascii: ",")) }
                first = false
                writer.string(path)
                writer.text(":{\"children\":[")
                for (position, child) in node.children.enumerated() {
                    if position > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.string(child)
                }
                writer.text("],\"permissions\":[")
                for (position, permission) in node.permissions.enumerated() {
                    if position > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.text("{\"access\":\"")
                    writer.text(permission.access.rawValue)
                    writer.text("\",\"domain\":")
                    writer.number(UInt64(permission.domain.rawValue))
                    writer.text("}")
                }
                writer.text("],\"value\":\"")
                writer.text(Data(node.value).base64EncodedString())
                writer.text("\"}")
            }
            writer.text("}}")
            count = writer.count
        }
    }

    /// Appends to a buffer sized beforehand.
    private struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func byte(_ value: UInt8) {
            base[count] = value
            count += 1
        }

        mutating func text(_ text: String) {
            var text = text
            text.withUTF8 { bytes in
                (base + count).update(from: bytes.baseAddress!, count: bytes.count)
                count += bytes.count
            }
        }

        mutating func number(_ value: UInt64) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var length = 0
            var rest = value
            withUnsafeMutableBytes(of: &digits) { scratch in
                repeat {
                    scratch[length] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                    length += 1
                } while rest > 0
                for index in stride(from: length - 1, through: 0, by: -1) { byte(scratch[index]) }
            }
        }

        /// A JSON string; xenstore names are plain ASCII, anything else is escaped.
        mutating func string(_ text: String) {
            byte(UInt8(ascii: "\""))
            var text = text
            let plain = text.withUTF8 { bytes in
                bytes.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
            }
            if plain {
                self.text(text)
                byte(UInt8(ascii: "\""))
                return
            }
            for value in text.utf8 {
                switch value {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    byte(UInt8(ascii: "\\"))
                    byte(value)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    self.text("\\u00")
                    byte(hex[Int(value >> 4)])
                    byte(hex[Int(value & 0xF)])
                default:
                    byte(value)
                }
            }
            byte(UInt8(ascii: "\""))
        }
    }
}
