// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenStoreClient
import XenTypes

/// The xenstore records of `static_shm`, laid out as seed 004 and `docs/misc/xenstore-paths` give them:
///
///     /local/domain/<domid>/static_shm/<id>/role = "owner" | "borrower"
///     /libxl/static_shm/<id>/{owner, begin, size, prot, cache_policy, usercnt}
///     /libxl/static_shm/<id>/borrowers/<domid>/{begin, size, offset, prot}
///
/// `owner` and `usercnt` are decimal, addresses `0x` hexadecimal. `/libxl/static_shm` and everything below it
/// belong to dom0 and are closed to every other domain. All reads and writes of one operation go through one
/// transaction.
struct StaticSharedMemoryRecords {
    let xenstore: any XenStore
    let transaction: XenStoreTransaction

    static let root = "/libxl/static_shm"
    static func regionPath(_ id: String) -> String { "\(root)/\(id)" }
    static func rolesPath(_ domain: DomainID) -> String { "/local/domain/\(domain)/static_shm" }
    static let dom0Only = [XenStorePermission(.none, .dom0)]

    /// A region's record.
    struct Region {
        var id: String
        var owner: DomainID
        var begin: UInt64
        var size: UInt64
        var prot: String
        var userCount: Int
        var borrowers: [Borrower]
    }

    /// One borrower's entry under a region.
    struct Borrower {
        var domain: DomainID
        var begin: UInt64
        var size: UInt64
        var offset: UInt64
    }

    /// The region's record; nil when there is none. A damaged value is an error naming its path.
    func region(_ id: String) throws -> Region? {
        let path = Self.regionPath(id)
        guard try xenstore.exists(path, in: transaction) else { return nil }
        var borrowers: [Borrower] = []
        for name in try xenstore.children("\(path)/borrowers", in: transaction) {
            let entry = "\(path)/borrowers/\(name)"
            guard let domain = Self.domain(name) else { throw damaged(entry, name, "a domain id") }
            let (begin, size) = try span(entry)
            let offset = try address("\(entry)/offset")
            guard offset % StaticSharedMemory.pageSize == 0, offset < StaticSharedMemory.addressLimit else {
                throw damaged("\(entry)/offset", StaticSharedMemory.hex(offset), "a page-aligned offset")
            }
            borrowers.append(Borrower(domain: domain, begin: begin, size: size, offset: offset))
        }
        let ownerText = try value("\(path)/owner")
        guard let owner = Self.domain(ownerText) else { throw damaged("\(path)/owner", ownerText, "a decimal domain id") }
        let countText = try value("\(path)/usercnt")
        // The owner and each borrower count once: never more than there can be domains.
        guard let count = Int(countText), count >= 0, count <= Int(DomainID.firstReserved.rawValue), String(count) == countText else {
            throw damaged("\(path)/usercnt", countText, "a decimal count")
        }
        let (begin, size) = try span(path)
        return Region(id: id, owner: owner, begin: begin, size: size, prot: try value("\(path)/prot"), userCount: count,
                      borrowers: borrowers.sorted { $0.domain < $1.domain })
    }

    /// The role node of `domain` for region `id`; nil when absent.
    func role(of domain: DomainID, in id: String) throws -> String? {
        try xenstore.readString("\(Self.rolesPath(domain))/\(id)/role", in: transaction)
    }

    /// The ids `domain` has role nodes for.
    func ids(of domain: DomainID) throws -> [String] {
        try xenstore.children(Self.rolesPath(domain), in: transaction)
    }

    /// A new region record owned by `domain`, used once (by the owner).
    func writeOwner(_ domain: DomainID, _ spec: StaticSharedMemory) throws {
        if try !xenstore.exists(Self.root, in: transaction) {
            try xenstore.mkdir(Self.root, in: transaction)
            try xenstore.setPermissions(Self.root, Self.dom0Only, in: transaction)
        }
        let path = Self.regionPath(spec.id)
        try xenstore.mkdir(path, in: transaction)
        try xenstore.setPermissions(path, Self.dom0Only, in: transaction)
        let values = [
            ("owner", String(domain.rawValue)), ("begin", StaticSharedMemory.hex(spec.begin)), ("size", StaticSharedMemory.hex(spec.size)),
            ("prot", spec.prot.rawValue), ("cache_policy", (spec.cachePolicy ?? .armNormal).rawValue), ("usercnt", "1"),
        ]
        for (key, text) in values { try xenstore.write("\(path)/\(key)", string: text, in: transaction) }
        try writeRole(domain, spec)
    }

    /// `domain`'s entry under `region`, and one more user.
    func writeBorrower(_ domain: DomainID, _ spec: StaticSharedMemory, of region: Region) throws {
        let path = "\(Self.regionPath(region.id))/borrowers/\(domain)"
        let values = [
            ("begin", StaticSharedMemory.hex(spec.begin)), ("size", StaticSharedMemory.hex(spec.size)),
            ("offset", StaticSharedMemory.hex(spec.offset)), ("prot", spec.prot.rawValue),
        ]
        for (key, text) in values { try xenstore.write("\(path)/\(key)", string: text, in: transaction) }
        try xenstore.write("\(Self.regionPath(region.id))/usercnt", string: String(region.userCount + 1), in: transaction)
        try writeRole(domain, spec)
    }

    private func writeRole(_ domain: DomainID, _ spec: StaticSharedMemory) throws {
        try xenstore.write("\(Self.rolesPath(domain))/\(spec.id)/role", string: spec.role.rawValue, in: transaction)
    }

    /// Takes `domain` out of every region it has a role in: a borrower's entry goes (and `borrowers` with the last
    /// one), `usercnt` drops by one, a
    /// region record goes when it reaches zero, and `/libxl/static_shm` when it is empty. Removes the domain's
    /// role nodes, so that a second call does nothing.
    func release(_ domain: DomainID) throws {
        for id in try ids(of: domain) {
            let role = try role(of: domain, in: id)
            guard let region = try region(id) else { continue }
            let path = Self.regionPath(id)
            switch role {
            case StaticSharedMemory.Role.borrower.rawValue:
                guard region.borrowers.contains(where: { $0.domain == domain }) else { continue }
                try xenstore.remove(region.borrowers.count == 1 ? "\(path)/borrowers" : "\(path)/borrowers/\(domain)", in: transaction)
            case StaticSharedMemory.Role.owner.rawValue:
                guard region.owner == domain else { continue }
            default:
                throw damaged("\(Self.rolesPath(domain))/\(id)/role", role ?? "", "\"owner\" or \"borrower\"")
            }
            if region.userCount <= 1 {
                try xenstore.remove(path, in: transaction)
            } else {
                try xenstore.write("\(path)/usercnt", string: String(region.userCount - 1), in: transaction)
            }
        }
        if try xenstore.exists(Self.rolesPath(domain), in: transaction) { try xenstore.remove(Self.rolesPath(domain), in: transaction) }
        if try xenstore.exists(Self.root, in: transaction), try xenstore.children(Self.root, in: transaction).isEmpty {
            try xenstore.remove(Self.root, pruningUpTo: "/libxl", in: transaction)
        }
    }

    /// ``release(_:)`` in a transaction of its own.
    static func release(_ domain: DomainID, in xenstore: any XenStore) throws {
        try transaction(xenstore) { records in try records.release(domain) }
    }

    /// Runs `body` in a transaction, from the start again when the commit conflicts, and also when a record was
    /// read half-way through another domain's change: xenstored's transactions detect conflicts only at commit and
    /// do not isolate reads, so a borrower entry listed a moment ago can be gone by the time its values are read.
    /// A node still missing after ``attempts`` fresh transactions is damage, and named.
    static func transaction<T>(_ xenstore: any XenStore, _ body: (StaticSharedMemoryRecords) throws -> T) throws -> T {
        var missing = ""
        for _ in 0..<attempts {
            do {
                return try xenstore.transaction { tx in try body(StaticSharedMemoryRecords(xenstore: xenstore, transaction: tx)) }
            } catch let error as Missing {
                missing = error.path
            }
        }
        throw ToolstackError("static_shm record \(missing) is missing: the record is damaged")
    }

    /// Fresh transactions tried before a missing node counts as damage.
    static let attempts = 16

    /// A node of a record that is not there (yet, or any more).
    private struct Missing: Error {
        var path: String
    }

    private func value(_ path: String) throws -> String {
        guard let text = try xenstore.readString(path, in: transaction) else { throw Missing(path: path) }
        return text
    }

    /// `begin` and `size` under `path`, checked as a config's are: page-aligned, not empty, below 2^52.
    private func span(_ path: String) throws -> (begin: UInt64, size: UInt64) {
        let begin = try address("\(path)/begin")
        let size = try address("\(path)/size")
        let limit = StaticSharedMemory.addressLimit
        guard begin % StaticSharedMemory.pageSize == 0, size % StaticSharedMemory.pageSize == 0, size > 0, begin < limit, size <= limit - begin else {
            throw damaged("\(path)/size", StaticSharedMemory.hex(size), "a page-aligned size that keeps the region from \(StaticSharedMemory.hex(begin)) below 2^52")
        }
        return (begin, size)
    }

    private func address(_ path: String) throws -> UInt64 {
        let text = try value(path)
        guard text.hasPrefix("0x"), let number = UInt64(text.dropFirst(2), radix: 16) else { throw damaged(path, text, "a 0x hexadecimal number") }
        return number
    }

    private func damaged(_ path: String, _ text: String, _ expected: String) -> ToolstackError {
        ToolstackError("static_shm record \(path) holds \(ConfigQuoting.quoted(text)), not \(expected): the record is damaged")
    }

    /// A decimal domid (the fork wrote it decimal and read it back as hexadecimal).
    static func domain(_ text: String) -> DomainID? {
        guard let number = UInt16(text), String(number) == text, DomainID(number).isOrdinary else { return nil }
        return DomainID(number)
    }
}
