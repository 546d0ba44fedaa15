// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The hypervisor operations `init-dom0less` needs to make a domain Xen built at boot PV-capable.
///
/// Implemented by libxenctrl/libxenguest/libxenforeignmemory (``XenCtrlDom0lessControl``) and by the
/// simulated host. Every failure is a ``HypervisorError`` naming the libxenctrl call and Xen's errno.
public protocol Dom0lessControl: AnyObject {
    /// What `xc_domain_getinfolist` says about one domain; `ESRCH` when it does not exist.
    func dom0lessInfo(_ domain: DomainID) throws(HypervisorError) -> Dom0lessDomainInfo
    /// Which vCPUs are up (`xc_vcpu_getinfo` for each of `0...info.maxVCPUID`).
    func onlineVCPUs(_ info: Dom0lessDomainInfo) throws(HypervisorError) -> [Bool]
    /// `xc_hvm_param_get`.
    func hvmParam(_ parameter: HVMParam, of domain: DomainID) throws(HypervisorError) -> UInt64
    /// `xc_hvm_param_set`.
    func setHVMParam(_ parameter: HVMParam, of domain: DomainID, to value: UInt64) throws(HypervisorError)
    /// `xc_domain_setmaxmem`.
    func setMaxMemory(_ domain: DomainID, kiB: UInt64) throws(HypervisorError)
    /// Whether a page is mapped at `gfn` (a `xenforeignmemory_map` probe), so a retry does not populate twice.
    func isPagePresent(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) -> Bool
    /// `xc_domain_populate_physmap_exact` of one 4 KiB page at `gfn`, then `xc_clear_domain_page`.
    func populateCleared(_ domain: DomainID, gfn: UInt64) throws(HypervisorError)
    /// Maps the page at `gfn` (`xenforeignmemory_map`) and sets its `connection` to `XENSTORE_RECONNECT`.
    func markXenstoreReconnect(_ domain: DomainID, gfn: UInt64) throws(HypervisorError)
    /// `xc_dom_gnttab_seed`: the reserved grant entry for xenstore (no console) points at `xenstoreGFN`.
    func seedGrantTable(_ info: Dom0lessDomainInfo, xenstoreGFN: UInt64, xenstoreDomain: DomainID) throws(HypervisorError)
    /// `xc_domain_sethandle`.
    func setHandle(_ domain: DomainID, to handle: [UInt8]) throws(HypervisorError)
}

/// One domain as `init-dom0less` needs it (`xc_domaininfo_t`).
public struct Dom0lessDomainInfo: Hashable, Sendable, Codable {
    public var id: DomainID
    /// `max_pages` in KiB.
    public var maxMemoryKiB: UInt64
    /// `tot_pages` in KiB.
    public var currentMemoryKiB: UInt64
    /// `max_vcpu_id`: the highest vCPU number (vCPUs are `0...maxVCPUID`).
    public var maxVCPUID: UInt32
    /// `XEN_DOMINF_hvm_guest`: every ARM guest is one.
    public var isHVM: Bool
    /// `XEN_DOMINF_dying` or `XEN_DOMINF_shutdown`.
    public var isGoingAway: Bool
    /// The 16-byte domain handle (all zero until a toolstack sets it).
    public var handle: [UInt8]

    public init(id: DomainID, maxMemoryKiB: UInt64, currentMemoryKiB: UInt64, maxVCPUID: UInt32, isHVM: Bool, isGoingAway: Bool, handle: [UInt8]) {
        self.id = id
        self.maxMemoryKiB = maxMemoryKiB
        self.currentMemoryKiB = currentMemoryKiB
        self.maxVCPUID = maxVCPUID
        self.isHVM = isHVM
        self.isGoingAway = isGoingAway
        self.handle = handle
    }
}

/// The HVM parameters `init-dom0less` reads and writes (`xen/include/public/hvm/params.h`).
public enum HVMParam: UInt32, Sendable, Codable, CaseIterable {
    case storePFN = 1
    case storeEventChannel = 2

    /// The C name, for messages.
    public var name: String {
        switch self {
        case .storePFN: "HVM_PARAM_STORE_PFN"
        case .storeEventChannel: "HVM_PARAM_STORE_EVTCHN"
        }
    }
}

/// Constants of the dom0less xenstore handshake.
public enum Dom0lessXenstore {
    /// `(GUEST_MAGIC_BASE >> 12) + 1`: where the xenstore page goes (`GUEST_MAGIC_BASE` = 0x39000000).
    public static let pageGFN: UInt64 = 0x39001
    /// `HVM_PARAM_STORE_PFN` = ~0: the page is to be allocated later (4.17–4.20 always, 4.21+ `legacy`).
    public static let lateAllocation: UInt64 = ~0
    /// `XENSTORE_RECONNECT` (`xen/include/public/io/xs_wire.h`).
    public static let reconnect: UInt32 = 1
}
