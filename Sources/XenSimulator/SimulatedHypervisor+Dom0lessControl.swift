// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// The simulated Xen answers `init-dom0less`'s hypercalls from ``Dom0lessHostState``, with Xen's errnos;
/// failures can be injected by operation name (`xc_domain_setmaxmem`, `xc_hvm_param_set(HVM_PARAM_STORE_PFN)`, ...).
extension SimulatedHypervisor: Dom0lessControl {
    private func dom0lessDomain(_ domain: DomainID, _ operation: String) throws(HypervisorError) -> Int {
        try injectedFailure(operation)
        guard state.index(of: domain) != nil else { throw HypervisorError(operation, errno: .ESRCH) }
        if state.dom0less == nil { state.dom0less = Dom0lessHostState() }
        if let index = state.dom0less?.index(of: domain) { return index }
        // A domain not built from /chosen (dom0, or one made later): no xenstore parameters.
        let domainState = state.domains[state.index(of: domain) ?? 0]
        state.dom0less?.domains.append(Dom0lessDomainState(
            id: domain, node: "", enhanced: .none, storeEventChannel: 0, storePFN: 0, maxMemoryKiB: domainState.memoryKiB,
            onlineVCPUs: Array(repeating: true, count: domainState.vcpus), staticMemory: []))
        return (state.dom0less?.domains.count ?? 1) - 1
    }

    private func withDomain<T>(_ domain: DomainID, _ operation: String,
                               _ body: (inout Dom0lessDomainState, inout SimulatedDomain) throws(HypervisorError) -> T) throws(HypervisorError) -> T {
        let index = try dom0lessDomain(domain, operation)
        guard var hostState = state.dom0less, let domainIndex = state.index(of: domain) else { throw HypervisorError(operation, errno: .ESRCH) }
        var domainState = state.domains[domainIndex]
        let result = try body(&hostState.domains[index], &domainState)
        state.domains[domainIndex] = domainState
        state.dom0less = hostState
        return result
    }

    public func dom0lessInfo(_ domain: DomainID) throws(HypervisorError) -> Dom0lessDomainInfo {
        try withDomain(domain, "xc_domain_getinfolist") { (d, s) throws(HypervisorError) in
            Dom0lessDomainInfo(id: domain, maxMemoryKiB: d.maxMemoryKiB, currentMemoryKiB: s.memoryKiB, maxVCPUID: UInt32(max(s.vcpus, 1) - 1),
                               isHVM: true, isGoingAway: s.state.contains(.dying) || s.state.contains(.shutdown), handle: d.handle)
        }
    }

    /// Like `xc_vcpu_getinfo`, a vCPU beyond the domain's last one is `EINVAL`.
    public func onlineVCPUs(_ info: Dom0lessDomainInfo) throws(HypervisorError) -> [Bool] {
        let operation = "xc_vcpu_getinfo"
        return try withDomain(info.id, operation) { (d, _) throws(HypervisorError) -> [Bool] in
            guard Int(info.maxVCPUID) < d.onlineVCPUs.count else { throw HypervisorError(operation, errno: .EINVAL) }
            return Array(d.onlineVCPUs[0...Int(info.maxVCPUID)])
        }
    }

    public func hvmParam(_ parameter: HVMParam, of domain: DomainID) throws(HypervisorError) -> UInt64 {
        try withDomain(domain, "xc_hvm_param_get(\(parameter.name))") { (d, _) throws(HypervisorError) in
            parameter == .storePFN ? d.storePFN : d.storeEventChannel
        }
    }

    public func setHVMParam(_ parameter: HVMParam, of domain: DomainID, to value: UInt64) throws(HypervisorError) {
        try withDomain(domain, "xc_hvm_param_set(\(parameter.name))") { (d, _) throws(HypervisorError) in
            switch parameter {
            case .storePFN: d.storePFN = value
            case .storeEventChannel: d.storeEventChannel = value
            }
        }
    }

    public func setMaxMemory(_ domain: DomainID, kiB: UInt64) throws(HypervisorError) {
        try withDomain(domain, "xc_domain_setmaxmem") { (d, _) throws(HypervisorError) in d.maxMemoryKiB = kiB }
    }

    public func isPagePresent(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) -> Bool {
        try withDomain(domain, "xenforeignmemory_map") { (d, s) throws(HypervisorError) in
            d.extraPages[gfn] != nil || (s.directMapped && d.staticMemory.contains { $0.frames?.contains(gfn) == true })
        }
    }

    /// `populate_physmap`: a direct-mapped domain may only map frames it owns at gfn == mfn ("mfn 0x39001
    /// doesn't belong to d1"); others need room under `max_pages` ("Over-allocation"). libxenctrl turns
    /// the short count into `EBUSY`.
    public func populateCleared(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        let operation = "xc_domain_populate_physmap_exact"
        try withDomain(domain, operation) { (d, s) throws(HypervisorError) in
            guard !s.directMapped else { throw HypervisorError(operation, errno: .EBUSY) }
            if d.extraPages[gfn] == nil {
                guard s.memoryKiB + 4 <= d.maxMemoryKiB else { throw HypervisorError(operation, errno: .EBUSY) }
                s.memoryKiB += 4
            }
            d.extraPages[gfn] = 0
        }
        try withDomain(domain, "xc_clear_domain_page") { (_, _) throws(HypervisorError) in }
    }

    public func markXenstoreReconnect(_ domain: DomainID, gfn: UInt64) throws(HypervisorError) {
        let operation = "xenforeignmemory_map"
        try withDomain(domain, operation) { (d, _) throws(HypervisorError) in
            guard d.extraPages[gfn] != nil else { throw HypervisorError(operation, errno: .EFAULT) }
            d.extraPages[gfn] = Dom0lessXenstore.reconnect
        }
    }

    public func seedGrantTable(_ info: Dom0lessDomainInfo, xenstoreGFN: UInt64, xenstoreDomain: DomainID) throws(HypervisorError) {
        try withDomain(info.id, "xc_dom_gnttab_seed") { (d, _) throws(HypervisorError) in
            d.xenstoreGrant = .init(gfn: xenstoreGFN, domain: xenstoreDomain)
        }
    }

    public func setHandle(_ domain: DomainID, to handle: [UInt8]) throws(HypervisorError) {
        let operation = "xc_domain_sethandle"
        try withDomain(domain, operation) { (d, _) throws(HypervisorError) in
            guard handle.count == 16 else { throw HypervisorError(operation, errno: .EINVAL) }
            d.handle = handle
        }
    }
}
