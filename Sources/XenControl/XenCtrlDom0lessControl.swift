// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// ``Dom0lessControl`` on the real Xen: libxenctrl, libxenguest and libxenforeignmemory.
public final class XenCtrlDom0lessControl: Dom0lessControl {
    private let xc: XenCtrl
    private let memory: ForeignMemory

    /// Opens libxenctrl and libxenforeignmemory; throws the call that failed (`ENOENT` without Xen).
    public init() throws(HypervisorError) {
        do throws(Errno) { xc = try XenCtrl() } catch { throw HypervisorError("xc_interface_open", errno: error) }
        do throws(Errno) { memory = try ForeignMemory() } catch { throw HypervisorError("xenforeignmemory_open", errno: error) }
    }

    private func call<T>(_ name: String, _ body: () throws(Errno) -> T) throws(HypervisorError) -> T {
        do throws(Errno) { return try body() } catch { throw HypervisorError(name, errno: error) }
    }

    public func dom0lessInfo(_ domain: DomainID) throws(HypervisorError) -> Dom0lessDomainInfo {
        let raw = try call("xc_domain_getinfolist") { () throws(Errno) in try xc.dom0lessInfo(domain.rawValue) }
        let page = XenDomainInfo.pageSize / 1024
        return Dom0lessDomainInfo(id: domain, maxMemoryKiB: raw.maxPages * page, currentMemoryKiB: raw.totalPages * page,
                                  maxVCPUID: raw.maxVCPUID, isHVM: raw.isHVM, isGoingAway: raw.isGoingAway, handle: raw.handle)
    }

    public func onlineVCPUs(_ info: Dom0lessDomainInfo) throws(HypervisorError) -> [Bool] {
        try (0...info.maxVCPUID).map { (vcpu) throws(HypervisorError) -> Bool in
            try call("xc_vcpu_getinfo") { () throws(Errno) in try xc.isVCPUOnline(info.id.rawValue, vcpu: vcpu) }
        }
    }

    public func hvmParam(_ parameter: HVMParam, of domain: DomainID) throws(HypervisorError) -> UInt64 {
        try call("xc_hvm_param_get(\(parameter.name))") { () throws(Errno) in try xc.hvmParam(domain.rawValue, parameter.rawValue) }
    }

    public func setHVMParam(_ parameter: HVMParam, of domain: DomainID, to value: UInt64) throws(HypervisorError) {
        try call("xc_hvm_param_set(\(parameter.name))") { () throws(Errno) in try xc.setHVMParam(domain.rawValue, parameter.rawValue, value) }
    }

    public func setMaxMemory(_ domain: DomainID, kiB: UInt64) throws(HypervisorError) {
        try call("xc_domain_setmaxmem") { () throws(Errno) in try xc.setMaxMemory(domain.rawValue, kiB: kiB) }
    }

    public func isPagePresent(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) -> Bool {
        try call("xenforeignmemory_map") { () throws(Errno) in try memory.isMapped(domain.rawValue, gfn: gfn) }
    }

    public func populateCleared(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        try call("xc_domain_populate_physmap_exact") { () throws(Errno) in try xc.populatePage(domain.rawValue, gfn: gfn) }
        try call("xc_clear_domain_page") { () throws(Errno) in try xc.clearPage(domain.rawValue, gfn: gfn) }
    }

    public func markXenstoreReconnect(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        try call("xenforeignmemory_map") { () throws(Errno) in
            try memory.setXenstoreConnection(domain.rawValue, gfn: gfn, to: Dom0lessXenstore.reconnect)
        }
    }

    public func seedGrantTable(_ info: Dom0lessDomainInfo, xenstoreGFN: UInt64, xenstoreDomain: DomainID) throws(HypervisorError) {
        try call("xc_dom_gnttab_seed") { () throws(Errno) in
            try xc.seedGrantTable(info.id.rawValue, isHVM: info.isHVM, xenstoreGFN: xenstoreGFN, xenstoreDomain: xenstoreDomain.rawValue)
        }
    }

    public func setHandle(_ domain: DomainID, to handle: [UInt8]) throws(HypervisorError) {
        try call("xc_domain_sethandle") { () throws(Errno) in try xc.setHandle(domain.rawValue, handle) }
    }
}
