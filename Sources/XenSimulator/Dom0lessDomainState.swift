// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// What the simulated Xen keeps for the domains it built at boot from `/chosen`.
public struct Dom0lessHostState: Sendable, Codable, Equatable {
    public var domains: [Dom0lessDomainState] = []

    public init(domains: [Dom0lessDomainState] = []) { self.domains = domains }

    /// The index of a domain in ``domains``.
    public func index(of domain: DomainID) -> Int? { domains.firstIndex { $0.id == domain } }
}

/// The hypervisor-side state of one domain `init-dom0less` works on.
public struct Dom0lessDomainState: Sendable, Codable, Equatable {
    public var id: DomainID
    /// The `/chosen` node the domain was built from.
    public var node: String
    public var enhanced: Dom0lessEnhanced
    /// `HVM_PARAM_STORE_EVTCHN`: the unbound port towards the xenstore domain, 0 when none.
    public var storeEventChannel: UInt64
    /// `HVM_PARAM_STORE_PFN`.
    public var storePFN: UInt64
    /// `max_pages` in KiB.
    public var maxMemoryKiB: UInt64
    /// Pages populated after boot (the xenstore page), by gfn, with their `connection` field.
    public var extraPages: [UInt64: UInt32] = [:]
    /// `GNTTAB_RESERVED_XENSTORE`: the frame and the domain it is granted to, once seeded.
    public var xenstoreGrant: XenstoreGrant?
    /// The domain handle; all zero as Xen builds it.
    public var handle: [UInt8] = Array(repeating: 0, count: 16)
    /// Which vCPUs are up.
    public var onlineVCPUs: [Bool]
    /// The `xen,static-mem` banks a direct-mapped domain owns.
    public var staticMemory: [MMIORange]

    /// The reserved xenstore grant entry.
    public struct XenstoreGrant: Sendable, Codable, Equatable {
        public var gfn: UInt64
        public var domain: DomainID
        public init(gfn: UInt64, domain: DomainID) {
            self.gfn = gfn
            self.domain = domain
        }
    }
}
