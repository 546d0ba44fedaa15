// SPDX-License-Identifier: Apache-2.0
/// A structural check of a flattened device tree in Swift, run before libfdt sees the blob.
///
/// libfdt 1.6.1 trusts parts of the header and of the blocks it later reads (`fdt_check_full`
/// itself dereferences NULL on some old header versions), so nothing reaches it before this
/// check has walked the whole blob: the header and every block within `totalsize`, every token
/// well formed and inside the structure block, node names NUL-terminated, not empty (but the
/// root's) and without `/`, every property's value inside the block and its name inside the
/// strings block, properties before subnodes, no property twice in a node, and depth, node
/// count and name lengths bounded. The walk is iterative and linear in the blob's size.
public enum FDTStructureCheck {
    /// The deepest nesting accepted (the root is depth 0); real trees nest fewer than ten levels.
    public static let maximumDepth = 64
    /// The most nodes a tree may have.
    public static let maximumNodes = 65_536
    /// The longest node or property name accepted, in bytes.
    public static let maximumNameLength = 255
    /// The most memory reservation entries accepted.
    public static let maximumReservations = 1024
    /// The oldest header version accepted: 17 is what dtc writes, and the first with every field.
    public static let oldestVersion: UInt32 = 17

    /// Throws an ``FDTError`` whose `detail` names what is wrong and where.
    public static func check(_ bytes: [UInt8]) throws(FDTError) {
        var walker = Walker(bytes)
        try walker.run()
    }

    private struct Walker {
        let raw: [UInt8]
        var structStart = 0
        var structEnd = 0
        var stringsStart = 0
        var stringsEnd = 0

        init(_ raw: [UInt8]) { self.raw = raw }

        func word(_ offset: Int) -> UInt32 {
            (UInt32(raw[offset]) << 24) | (UInt32(raw[offset + 1]) << 16) | (UInt32(raw[offset + 2]) << 8) | UInt32(raw[offset + 3])
        }

        func fail(_ code: Int32, _ detail: String) -> FDTError {
            FDTError(code: code, function: "structure check", detail: detail)
        }

        mutating func run() throws(FDTError) {
            try header()
            try reservations()
            try structure()
        }

        /// The header: magic, sizes, version, and the three blocks inside `totalsize`, apart.
        mutating func header() throws(FDTError) {
            guard raw.count >= FDT.headerSize else { throw fail(FDTError.truncated, "the header needs \(FDT.headerSize) bytes, the file has \(raw.count)") }
            guard word(0) == FDT.magicValue else { throw fail(FDTError.badMagic, "bad magic number 0x\(hex(word(0)))") }
            let total = Int(word(4))
            guard total >= FDT.headerSize, total <= raw.count else {
                throw fail(FDTError.truncated, "totalsize is \(total) bytes, the blob has \(raw.count)")
            }
            guard total <= FDT.maximumSize else { throw fail(FDTError.badStructure, "totalsize is \(total) bytes; at most \(FDT.maximumSize) are accepted") }
            let version = word(20), lastCompatible = word(24)
            guard version >= FDTStructureCheck.oldestVersion, lastCompatible <= 17, lastCompatible <= version else {
                throw fail(FDTError.badVersion, "header version \(version) (last compatible \(lastCompatible)); version 17 is expected, as dtc writes it")
            }
            let reservationsAt = Int(word(16))
            structStart = Int(word(8))
            structEnd = structStart + Int(word(36))
            stringsStart = Int(word(12))
            stringsEnd = stringsStart + Int(word(32))
            guard reservationsAt >= FDT.headerSize, reservationsAt % 8 == 0, reservationsAt <= total else {
                throw fail(FDTError.badOffset, "the memory reservation block at offset \(reservationsAt) is not 8-byte aligned after the header and inside the blob")
            }
            guard structStart >= FDT.headerSize, structStart % 4 == 0, (structEnd - structStart) % 4 == 0, structEnd <= total else {
                throw fail(FDTError.badOffset, "the structure block (offset \(structStart), \(structEnd - structStart) bytes) is not 4-byte aligned after the header and inside the blob")
            }
            guard stringsStart >= FDT.headerSize, stringsEnd <= total else {
                throw fail(FDTError.badOffset, "the strings block (offset \(stringsStart), \(stringsEnd - stringsStart) bytes) is not after the header and inside the blob")
            }
            guard stringsEnd <= structStart || structEnd <= stringsStart || stringsStart == stringsEnd else {
                throw fail(FDTError.badOffset, "the structure and strings blocks overlap")
            }
        }

        /// The memory reservation map: 16-byte entries up to an all-zero one, before any other block.
        func reservations() throws(FDTError) {
            var offset = Int(word(16))
            let limit = [structStart, stringsStart, Int(word(4))].filter { $0 >= offset }.min() ?? Int(word(4))
            for _ in 0...FDTStructureCheck.maximumReservations {
                guard offset + 16 <= limit else { throw fail(FDTError.truncated, "the memory reservation map runs into the next block at offset \(limit)") }
                if (0..<16).allSatisfy({ raw[offset + $0] == 0 }) { return }
                offset += 16
            }
            throw fail(FDTError.badStructure, "the memory reservation map has more than \(FDTStructureCheck.maximumReservations) entries")
        }

        /// A NUL-terminated name starting at `offset` and ending before `end`; `nil` when unterminated or too long.
        func name(at offset: Int, end: Int) -> String? {
            var cursor = offset
            let limit = min(end, offset + FDTStructureCheck.maximumNameLength + 1)
            while cursor < limit, raw[cursor] != 0 { cursor += 1 }
            guard cursor < limit else { return nil }
            return String(decoding: raw[offset..<cursor], as: UTF8.self)
        }

        /// The structure block, token by token, with a stack of open nodes.
        func structure() throws(FDTError) {
            struct Open {
                var path: String
                var hasSubnodes = false
                var properties: Set<String> = []
            }
            var stack: [Open] = []
            var nodes = 0
            var rootClosed = false
            var offset = structStart
            func place(_ at: Int) -> String { stack.last.map { "node \($0.path)" } ?? "offset \(at - structStart) of the structure block" }
            while true {
                guard offset + 4 <= structEnd else {
                    throw fail(FDTError.truncated, "the structure block ends at \(place(offset)) without an end token")
                }
                let tokenAt = offset
                let token = word(offset)
                offset += 4
                switch token {
                case 1:  // FDT_BEGIN_NODE
                    guard !rootClosed else { throw fail(FDTError.badStructure, "a node follows the root node at offset \(tokenAt - structStart) of the structure block") }
                    guard let name = name(at: offset, end: structEnd) else {
                        throw fail(FDTError.badStructure, "a node name in \(place(tokenAt)) is not NUL-terminated within \(FDTStructureCheck.maximumNameLength) bytes")
                    }
                    offset += (name.utf8.count + 4) & ~3
                    if let parent = stack.last {
                        guard !name.isEmpty else { throw fail(FDTError.badStructure, "node \(parent.path) has a subnode with an empty name") }
                        guard !name.utf8.contains(UInt8(ascii: "/")) else { throw fail(FDTError.badStructure, "node \(parent.path) has a subnode named \"\(name)\", which contains /") }
                        stack[stack.count - 1].hasSubnodes = true
                        stack.append(Open(path: parent.path == "/" ? "/" + name : parent.path + "/" + name))
                    } else {
                        guard name.isEmpty else { throw fail(FDTError.badStructure, "the root node is named \"\(name)\"; it must have an empty name") }
                        stack.append(Open(path: "/"))
                    }
                    nodes += 1
                    guard nodes <= FDTStructureCheck.maximumNodes else { throw fail(FDTError.badStructure, "the tree has more than \(FDTStructureCheck.maximumNodes) nodes") }
                    guard stack.count - 1 <= FDTStructureCheck.maximumDepth else {
                        throw fail(FDTError.badStructure, "node \(stack[stack.count - 1].path) nests deeper than \(FDTStructureCheck.maximumDepth) levels")
                    }
                case 2:  // FDT_END_NODE
                    guard stack.popLast() != nil else { throw fail(FDTError.badStructure, "an end-node token at offset \(tokenAt - structStart) of the structure block closes no node") }
                    if stack.isEmpty { rootClosed = true }
                case 3:  // FDT_PROP
                    guard let node = stack.last else { throw fail(FDTError.badStructure, "a property at offset \(tokenAt - structStart) of the structure block is outside any node") }
                    guard offset + 8 <= structEnd else { throw fail(FDTError.truncated, "node \(node.path): a property header runs past the structure block") }
                    let length = Int(word(offset)), nameOffset = Int(word(offset + 4))
                    offset += 8
                    guard length <= structEnd - offset else {
                        throw fail(FDTError.truncated, "node \(node.path): a property of \(length) bytes runs past the structure block")
                    }
                    guard nameOffset < stringsEnd - stringsStart, let name = name(at: stringsStart + nameOffset, end: stringsEnd) else {
                        throw fail(FDTError.badOffset, "node \(node.path): a property's name (strings offset \(nameOffset)) is not a NUL-terminated string inside the strings block")
                    }
                    guard !name.isEmpty else { throw fail(FDTError.badStructure, "node \(node.path) has a property with an empty name") }
                    guard !node.hasSubnodes else { throw fail(FDTError.badStructure, "node \(node.path): property \(name) comes after a subnode") }
                    guard stack[stack.count - 1].properties.insert(name).inserted else {
                        throw fail(FDTError.badStructure, "node \(node.path) has property \(name) twice")
                    }
                    offset += (length + 3) & ~3
                    guard offset <= structEnd else { throw fail(FDTError.truncated, "node \(node.path): property \(name) runs past the structure block") }
                case 4:  // FDT_NOP
                    guard nodes > 0 else { throw fail(FDTError.badStructure, "the structure block does not start with the root node") }
                    guard !rootClosed else { throw fail(FDTError.badStructure, "only the end token may follow the root node, not a NOP at offset \(tokenAt - structStart) of the structure block") }
                case 9:  // FDT_END
                    guard stack.isEmpty, rootClosed else {
                        throw fail(FDTError.badStructure, stack.isEmpty ? "the structure block has no root node" : "the end token comes inside \(place(tokenAt)), which is not closed")
                    }
                    guard offset == structEnd else { throw fail(FDTError.badStructure, "\(structEnd - offset) bytes follow the end token of the structure block") }
                    return
                default:
                    throw fail(FDTError.badStructure, "unknown token 0x\(hex(token)) at offset \(tokenAt - structStart) of the structure block" + (stack.last.map { " (in node \($0.path))" } ?? ""))
                }
            }
        }

        func hex(_ value: UInt32) -> String { String(value, radix: 16) }
    }
}
