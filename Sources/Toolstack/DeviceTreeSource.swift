// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// A plain DTS rendering of a tree, for `-N` when `dtc` is not installed.
enum DeviceTreeSource {
    static func render(_ tree: DeviceTree) throws -> String {
        var lines = ["/dts-v1/;", ""]
        try node("/", name: "/", tree, depth: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func node(_ path: String, name: String, _ tree: DeviceTree, depth: Int, into lines: inout [String]) throws {
        let indent = String(repeating: "\t", count: depth)
        lines.append("\(indent)\(name) {")
        for property in try tree.properties(of: path) {
            lines.append("\(indent)\t\(property.name)\(value(property.value));")
        }
        for child in try tree.children(of: path) {
            lines.append("")
            try node(DeviceTree.join(path, child), name: child, tree, depth: depth + 1, into: &lines)
        }
        lines.append("\(indent)};")
    }

    private static func value(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        if let strings = bytes.deviceTreeStrings, strings.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) {
            return " = " + strings.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        if let cells = bytes.deviceTreeCells {
            return " = <" + cells.map { "0x" + String($0, radix: 16) }.joined(separator: " ") + ">"
        }
        return " = [" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ") + "]"
    }
}
