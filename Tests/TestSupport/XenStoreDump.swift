// SPDX-License-Identifier: Apache-2.0
import XenStoreClient

/// A xenstore subtree as text, like `xenstore-ls -fp`: one `path = "value" perms` line per node, sorted.
public enum XenStoreDump {
    /// Every node at or below `root`; empty when `root` does not exist.
    public static func lines(_ store: any XenStore, _ root: String) throws -> [String] {
        guard try store.readString(root) != nil else { return [] }
        var lines: [String] = []
        func visit(_ path: String) throws {
            let value = try store.readString(path) ?? ""
            let perms = try store.permissions(path, in: nil).map(\.description).joined(separator: ",")
            lines.append("\(path) = \"\(value)\" \(perms)")
            for child in try store.children(path) { try visit(path == "/" ? "/" + child : path + "/" + child) }
        }
        try visit(root)
        return lines.sorted()
    }
}
