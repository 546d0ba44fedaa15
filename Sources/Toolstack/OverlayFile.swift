// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import FoundationEssentials

/// A dtbo read from disk and checked the way Xen will check it, before any hypercall.
public struct OverlayFile: Sendable {
    /// The path as the user gave it.
    public let path: String
    public let blob: [UInt8]
    public let overlay: Overlay

    /// Xen's `DT_OVERLAY_MAX_SIZE`.
    public static let maximumSize = 512_000

    /// Reads and checks `path`: a regular, non-empty file of at most 512000 bytes holding a valid
    /// FDT whose `totalsize` is the file size, with at least one fragment carrying `__overlay__`.
    public init(path: String) throws {
        try self.init(path: path, blob: try Self.read(path))
    }

    /// Checks `blob`, already read from `path` (which names it in messages), as ``init(path:)`` does.
    public init(path: String, blob: [UInt8]) throws {
        self.path = path
        guard !blob.isEmpty else { throw ToolstackError("\(path): the file is empty") }
        guard blob.count <= Self.maximumSize else {
            throw ToolstackError("\(path): \(blob.count) bytes; Xen accepts overlays of at most \(Self.maximumSize) bytes")
        }
        do {
            overlay = try Overlay(try DeviceTree(validating: blob))
        } catch {
            throw ToolstackError("\(path): \(error.message)")
        }
        self.blob = blob
    }

    /// The full paths of the nodes the overlay adds, given the path each fragment resolves to.
    public func nodePaths(targets: [String]) -> [String] {
        zip(overlay.fragments, targets).flatMap { fragment, target in fragment.nodes.map { DeviceTree.join(target, $0) } }
    }

    private static func read(_ path: String) throws -> [UInt8] {
        let manager = FileManager.default
        var isDirectory = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ToolstackError("\(path): no such file")
        }
        guard !isDirectory else { throw ToolstackError("\(path): is a directory, not a dtbo file") }
        let attributes = try? manager.attributesOfItem(atPath: path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw ToolstackError("\(path): not a regular file")
        }
        let size = (attributes?[.size] as? Int) ?? (attributes?[.size] as? UInt64).map { Int(clamping: $0) }
        if let size, size > maximumSize {
            throw ToolstackError("\(path): \(size) bytes; Xen accepts overlays of at most \(maximumSize) bytes")
        }
        guard let data = manager.contents(atPath: path) else { throw ToolstackError("\(path): cannot be read (permission denied?)") }
        return Array(data)
    }
}
