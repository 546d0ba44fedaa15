// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// A device-tree node to be written: its properties and children in the order a sequential writer emits them.
struct DeviceTreeNode {
    var name: String
    var properties: [DeviceTreeProperty] = []
    var children: [DeviceTreeNode] = []

    init(_ name: String, _ properties: [(String, [UInt8])] = [], children: [DeviceTreeNode] = []) {
        self.name = name
        self.properties = properties.map { DeviceTreeProperty(name: $0.0, value: $0.1) }
        self.children = children
    }

    /// The subtree at `path` of `tree`, properties and children in blob order.
    init(copying path: String, of tree: DeviceTree) throws(DeviceTreeError) {
        name = DeviceTree.split(path).name
        properties = try tree.properties(of: path)
        for child in try tree.children(of: path) {
            children.append(try DeviceTreeNode(copying: DeviceTree.join(path, child), of: tree))
        }
    }

    /// A blob with this node as root. libfdt inserts new properties and subnodes first, so both go in reversed.
    func build() throws(DeviceTreeError) -> DeviceTree {
        var tree = try DeviceTree.empty()
        try write(at: "/", into: &tree)
        return try DeviceTree(validating: tree.bytes)
    }

    private func write(at path: String, into tree: inout DeviceTree) throws(DeviceTreeError) {
        for property in properties.reversed() { try tree.setProperty(property.name, property.value, at: path) }
        for child in children.reversed() {
            let childPath = DeviceTree.join(path, child.name)
            try tree.addNode(childPath)
            try child.write(at: childPath, into: &tree)
        }
    }
}
