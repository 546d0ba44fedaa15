// SPDX-License-Identifier: Apache-2.0
/// One `static_shm` entry (seed 004, `xl-static-shm-configuration(5)` of the Xilinx fork): a region of guest
/// physical memory that one domain owns and other domains map.
public struct StaticSharedMemory: Hashable, Sendable, Codable {
    /// What this domain is to the region.
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
        /// The region is part of this domain's own RAM.
        case owner
        /// This domain maps the owner's pages.
        case borrower
    }

    /// Stage-2 permissions: what an owner grants at most, or what a borrower asks for.
    public enum Permission: String, Hashable, Sendable, Codable, CaseIterable {
        case rw
    }

    /// Stage-2 cacheability and shareability of an owner's region.
    public enum CachePolicy: String, Hashable, Sendable, Codable, CaseIterable {
        /// Inner and outer write-back cacheable, inner shareable.
        case armNormal = "ARM_normal"
    }

    /// `[_a-zA-Z0-9]`, 1 to ``maxIDLength`` characters, unique in the file.
    public var id: String
    public var role: Role
    /// Guest physical address of the region in this domain.
    public var begin: UInt64
    public var size: UInt64
    /// Borrowers: where in the owner's region the mapping starts (0 for owners).
    public var offset: UInt64
    public var prot: Permission
    /// Owners: the policy (default ``CachePolicy/armNormal``); nil for borrowers.
    public var cachePolicy: CachePolicy?

    public init(id: String, role: Role, begin: UInt64, size: UInt64, offset: UInt64 = 0, prot: Permission = .rw,
                cachePolicy: CachePolicy? = nil) {
        self.id = id
        self.role = role
        self.begin = begin
        self.size = size
        self.offset = offset
        self.prot = prot
        self.cachePolicy = role == .owner ? cachePolicy ?? .armNormal : nil
    }

    /// The region's guest physical addresses (checked not to wrap when parsed).
    public var range: Range<UInt64> { begin..<(begin + size) }

    /// How messages name the spec: `static_shm[1] id=ID2`, or `static_shm[1]` before the id is known.
    public static func label(index: Int, id: String?) -> String {
        "static_shm[\(index)]" + (id.map { " id=\($0)" } ?? "")
    }

    /// Hypervisor pages: 4 KiB on ARM and x86.
    public static let pageSize: UInt64 = 4096
    /// Longest id.
    public static let maxIDLength = 128
    /// Most regions one domain may list (Xen's `NR_SHMEM_BANKS` for boot-time shared memory).
    public static let maxRegions = 32
    /// The keys of an `SSHM_SPEC`, in the order the manual gives them.
    public static let keys = ["id", "begin", "size", "offset", "role", "prot", "cache_policy"]
}
