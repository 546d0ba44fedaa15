// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Glibc
import XenControl
import XenTypes

/// The grant tables of a simulated host: which domain granted which page to whom.
///
/// Kept in `DIR/grants/` apart from `host.json`, because a guest shares pages while an `xl`
/// command holds `DIR/lock`: `DIR/grants/table.json` lists the grants under its own lock
/// (`DIR/grants/lock`), and every granted page is a 4 KiB file `DIR/grants/pages/<domid>-<ref>`
/// that both sides map with `MAP_SHARED`, so two processes see the same bytes. A grant lives as
/// long as the process that made it, as gntalloc's do: entries of exited processes are dropped.
public final class SimulatedGrantTable {
    /// One grant: a page of `granter`, reference `ref`, given to `grantee`.
    struct Entry: Codable, Hashable {
        var granter: DomainID
        var ref: UInt32
        var grantee: DomainID
        var writable: Bool
        /// The process that shared the page.
        var process: Int32
    }

    /// What `table.json` holds.
    struct Table: Codable {
        var entries: [Entry] = []
    }

    /// gntalloc's default `limit`: pages one domain may have granted at a time.
    public static let maximumGrantsPerDomain = 1024
    /// Xen reserves the first eight references of every grant table.
    static let firstReference: UInt32 = 8

    let directory: String

    /// The grant tables of the simulated host in `hostDirectory`.
    public init(hostDirectory: String) throws(SimulatorError) {
        directory = hostDirectory + "/grants"
        do {
            try FileManager.default.createDirectory(atPath: directory + "/pages", withIntermediateDirectories: true)
        } catch {
            throw SimulatorError("cannot create \(directory)/pages")
        }
    }

    /// dom0's mapper of pages granted to it.
    public func mapper() -> any GrantMapper { SimulatedGrantMapper(table: self) }

    /// `domain`'s sharer.
    public func sharer(for domain: DomainID) -> any GrantSharer { SimulatedGrantSharer(table: self, domain: domain) }

    /// The grants in force, for tests and the tour.
    public func grants() throws -> [(granter: DomainID, ref: UInt32, grantee: DomainID)] {
        try locked { table in table.entries.map { ($0.granter, $0.ref, $0.grantee) } }
    }

    func pagePath(_ granter: DomainID, _ ref: UInt32) -> String { "\(directory)/pages/\(granter.rawValue)-\(ref)" }

    /// Runs `body` on the table under its lock, with the grants of exited processes dropped, and saves it.
    func locked<T>(_ body: (inout Table) throws -> T) throws -> T {
        let lock = try DirectoryLock(path: directory + "/lock")
        defer { lock.unlock() }
        let path = directory + "/table.json"
        var table = Table()
        if let data = FileManager.default.contents(atPath: path) {
            do { table = try JSONDecoder().decode(Table.self, from: data) } catch {
                throw SimulatorError("\(path) is damaged; remove it to drop every grant")
            }
        }
        for entry in table.entries where !Self.isAlive(entry.process) { unlink(pagePath(entry.granter, entry.ref)) }
        table.entries.removeAll { !Self.isAlive($0.process) }
        let result = try body(&table)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(table).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SimulatorError("cannot write \(path): \(error)")
        }
        return result
    }

    private static func isAlive(_ process: Int32) -> Bool {
        kill(process, 0) == 0 || errno == EPERM
    }
}

/// dom0's side: maps pages a guest granted to dom0, as `xengnttab_map_domain_grant_refs` does.
final class SimulatedGrantMapper: GrantMapper {
    private let table: SimulatedGrantTable

    init(table: SimulatedGrantTable) { self.table = table }

    func map(_ refs: [UInt32], from domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages {
        let name = "xengnttab_map_domain_grant_refs"
        guard !refs.isEmpty, refs.count <= SimulatedGrantTable.maximumGrantsPerDomain else { throw GrantError(name, errno: .EINVAL) }
        do {
            let files = try table.locked { state -> [String]? in
                for ref in refs {
                    // Xen answers GNTST_bad_gntref (or GNTST_permission_denied) for a reference
                    // that is not a grant from `domain` to dom0 with the access asked for.
                    guard state.entries.contains(where: {
                        $0.granter == domain && $0.ref == ref && $0.grantee == .dom0 && ($0.writable || !writable)
                    }) else { return nil }
                }
                return refs.map { table.pagePath(domain, $0) }
            }
            guard let files else { throw GrantError(name, errno: .EINVAL) }
            let mapping = try PageFileMapping(files: files, pageSize: GrantPage.size, writable: writable)
            return SimulatedGrantedPages(references: refs, mapping: mapping, release: {})
        } catch let error as GrantError {
            throw error
        } catch {
            throw GrantError(name, errno: .ENOMEM)
        }
    }
}

/// A guest's side: allocates page files and grants them, as `xengntshr_share_pages` does.
final class SimulatedGrantSharer: GrantSharer {
    private let table: SimulatedGrantTable
    private let domain: DomainID

    init(table: SimulatedGrantTable, domain: DomainID) {
        self.table = table
        self.domain = domain
    }

    func share(pages count: Int, with grantee: DomainID, writable: Bool) throws(GrantError) -> GrantedPages {
        let name = "xengntshr_share_pages"
        guard count > 0 else { throw GrantError(name, errno: .EINVAL) }
        let granter = domain
        let table = self.table
        let process = getpid()
        do {
            let refs = try table.locked { state -> [UInt32]? in
                let mine = state.entries.filter { $0.granter == granter }
                guard mine.count + count <= SimulatedGrantTable.maximumGrantsPerDomain else { return nil }
                let used = Set(mine.map(\.ref))
                var refs: [UInt32] = []
                var candidate = SimulatedGrantTable.firstReference
                while refs.count < count {
                    if !used.contains(candidate) { refs.append(candidate) }
                    candidate += 1
                }
                for ref in refs {
                    let path = table.pagePath(granter, ref)
                    let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
                    guard descriptor >= 0, ftruncate(descriptor, off_t(GrantPage.size)) == 0 else {
                        if descriptor >= 0 { close(descriptor) }
                        throw SimulatorError("cannot create grant page \(path)")
                    }
                    close(descriptor)
                    state.entries.append(.init(granter: granter, ref: ref, grantee: grantee, writable: writable, process: process))
                }
                return refs
            }
            // gntalloc refuses more than its limit with ENOSPC.
            guard let refs else { throw GrantError(name, errno: .ENOSPC) }
            let mapping = try PageFileMapping(files: refs.map { table.pagePath(granter, $0) }, pageSize: GrantPage.size, writable: true)
            return SimulatedGrantedPages(references: refs, mapping: mapping) {
                try? table.locked { state in
                    state.entries.removeAll { $0.granter == granter && refs.contains($0.ref) }
                    for ref in refs { unlink(table.pagePath(granter, ref)) }
                }
            }
        } catch let error as GrantError {
            throw error
        } catch {
            throw GrantError(name, errno: .ENOMEM)
        }
    }
}

/// Grant pages of the simulator: the mapping, and what releasing them also undoes.
final class SimulatedGrantedPages: GrantedPages {
    let references: [UInt32]
    private let mapping: PageFileMapping
    private var onRelease: (() -> Void)?

    init(references: [UInt32], mapping: PageFileMapping, release: @escaping () -> Void) {
        self.references = references
        self.mapping = mapping
        self.onRelease = release
    }

    var memory: UnsafeMutableRawBufferPointer { mapping.memory }

    func release() throws(GrantError) {
        guard let onRelease else { return }
        self.onRelease = nil
        mapping.unmap()
        onRelease()
    }

    deinit { try? release() }
}
