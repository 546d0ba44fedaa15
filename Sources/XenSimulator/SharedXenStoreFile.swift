// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Glibc
import XenStoreClient

/// `xenstore.json` as this process shares it: one copy of the tree (a ``XenStoreDatabase``) for all the process's
/// connections, taken over from the file when another process changed it and written back after a change.
final class SharedXenStoreFile {
    let path: String
    private let lockPath: String
    let database = XenStoreDatabase()
    /// Set up on the first wait for a watch event: most connections never wait.
    lazy var changes: FileChangeWait? = FileChangeWait(directory: String(path.dropLast("/xenstore.json".count)), name: "xenstore.json")
    /// The file as this process last read or wrote it.
    private var stamp: FileStamp?
    /// The database revision the file holds.
    private var savedRevision: UInt64

    init(directory: String, create: Bool) throws(SimulatorError) {
        path = directory + "/xenstore.json"
        lockPath = directory + "/xenstore.lock"
        savedRevision = database.revision
        let lock = try DirectoryLock(path: lockPath)
        defer { lock.unlock() }
        if FileManager.default.fileExists(atPath: path) {
            try load()
        } else {
            guard create else { throw SimulatorError("\(path) does not exist: no simulated host in \(directory)") }
            database.tree = XenStoreTree()
            try save()
        }
    }

    /// Whether another process wrote the file since this one last read or wrote it.
    var changedOnDisk: Bool { FileStamp(path) != stamp }

    /// Runs one request between taking over the file's changes and writing back this one's.
    func request<T>(_ operation: String, _ body: () throws(XenStoreError) -> T) throws(XenStoreError) -> T {
        do {
            let lock = try DirectoryLock(path: lockPath)
            defer { lock.unlock() }
            if changedOnDisk { try load() }
            let result = try body()
            if database.revision != savedRevision { try save() }
            return result
        } catch let error as XenStoreError {
            throw error
        } catch {
            throw XenStoreError(operation, path: path, errno: .EIO)
        }
    }

    /// Reads the file and takes it over.
    private func load() throws(SimulatorError) {
        let current = FileStamp(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulatorError("cannot read \(path)") }
        let tree: XenStoreTree
        do { tree = try XenStoreTreeJSON.decode(data) } catch {
            throw SimulatorError("\(path) is damaged or from another version of xl; remove the directory to start a new simulated host")
        }
        database.adopt(tree)
        savedRevision = database.revision
        stamp = current
    }

    /// Writes the tree to the file: a temporary file renamed over it, so readers never see half of it.
    private func save() throws(SimulatorError) {
        let bytes = XenStoreTreeJSON.encode(database.tree)
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SimulatorError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SimulatorError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        savedRevision = database.revision
        stamp = FileStamp(path)
    }
}
