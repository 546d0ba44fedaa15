// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The libxenctrl queries ``XenCallHypervisor`` answers `version()` and `domains()` with.
public protocol HypervisorControl: AnyObject {
    /// `XENVER_version` of the running Xen.
    func runningVersion() throws(HypervisorError) -> XenVersion
    /// Every domain, in domid order.
    func domainList() throws(HypervisorError) -> [DomainInfo]
}

extension XenCtrl: HypervisorControl {
    public func runningVersion() throws(HypervisorError) -> XenVersion {
        do throws(Errno) {
            return XenVersion(packed: try version())
        } catch {
            throw HypervisorError("xc_version", errno: error)
        }
    }

    public func domainList() throws(HypervisorError) -> [DomainInfo] {
        do throws(Errno) {
            return try domainInfos().map(DomainInfo.init(xenctrl:))
        } catch {
            throw HypervisorError("xc_domain_getinfolist", errno: error)
        }
    }
}

extension DomainInfo {
    /// The domain as libxenctrl reports it. Xen does not say whether a domain is direct-mapped;
    /// only domain 0 is known to be.
    init(xenctrl info: XenDomainInfo) {
        var state: DomainState = []
        if info.isRunning { state.insert(.running) }
        if info.isBlocked { state.insert(.blocked) }
        if info.isPaused { state.insert(.paused) }
        if info.isShutdown { state.insert(.shutdown) }
        if info.isCrashed { state.insert(.crashed) }
        if info.isDying { state.insert(.dying) }
        let id = DomainID(info.domid)
        self.init(id: id, memoryKiB: info.totalPages * XenDomainInfo.pageSize / 1024, vcpus: Int(info.onlineVCPUs),
                  state: state, cpuTimeNs: info.cpuTimeNs, directMapped: id == .dom0 ? true : nil,
                  shutdownReason: info.isShutdown ? UInt8(truncatingIfNeeded: info.shutdownReason) : nil, handle: info.handle,
                  cpupool: info.cpupool, maxMemoryKiB: info.maxPages * XenDomainInfo.pageSize / 1024, maxVCPUID: Int(info.maxVCPUID))
    }
}
