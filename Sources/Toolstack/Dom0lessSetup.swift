// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenStoreClient
import XenTypes

/// The steps `init-dom0less` takes for one domain, each safe to repeat after a failure.
///
/// Order: hypervisor side first, ending with `HVM_PARAM_STORE_PFN` (so a retry sees the page is done),
/// then every xenstore node in one transaction, then `XS_INTRODUCE`; if that fails the transaction's
/// nodes are removed again, so a domain is either fully initialised or has no xenstore entries.
struct Dom0lessSetup {
    let domain: DomainID
    let name: String
    let node: Dom0lessDomainNode?
    let directMapped: Bool
    let version: XenVersion
    let control: any Dom0lessControl
    let xenstore: any XenStore
    let environment: Dom0lessEnvironment

    /// The highest event channel port Xen hands out (FIFO ABI: 2^17 ports).
    static let maxEventChannel: UInt64 = 1 << 17
    /// Guest frames above 2^40 (the ARM64 IPA limit in pages) cannot be real.
    static let maxGuestFrame: UInt64 = 1 << 40

    /// Runs the steps; returns the outcome and what was done, or throws the one-line failure.
    mutating func run() throws -> (Dom0lessOutcome, String) {
        if try xs("XS_IS_DOMAIN_INTRODUCED", { () throws(XenStoreError) in try xenstore.isIntroduced(domain) }) {
            return (.skipped, "already initialised; skipped")
        }
        let info = try hv { () throws(HypervisorError) in try control.dom0lessInfo(domain) }
        guard !info.isGoingAway else { return (.skipped, "shutting down; skipped") }
        let channel = try hv { () throws(HypervisorError) in try control.hvmParam(.storeEventChannel, of: domain) }
        guard channel != 0 else {
            if let node, node.enhanced.wantsXenstore {
                throw ToolstackError("its node asks for xen,enhanced (\(node.enhanced.rawValue)) but Xen gave it no xenstore event channel (Xen 4.21 \"legacy\" bug); not initialised")
            }
            // Xen gives a "no-xenstore" domain no xenstore event channel either: say which of the two it is.
            if node?.enhanced == .noXenstore { return (.skipped, "xen,enhanced = \"no-xenstore\"; skipped") }
            return (.skipped, "no xen,enhanced; skipped")
        }
        guard channel < Self.maxEventChannel else { throw ToolstackError("HVM_PARAM_STORE_EVTCHN = \(channel) is not a valid port; not initialised") }
        var pfn = try hv { () throws(HypervisorError) in try control.hvmParam(.storePFN, of: domain) }
        var allocated = false
        if pfn == Dom0lessXenstore.lateAllocation {
            pfn = try allocatePage(info)
            allocated = true
        } else if pfn == 0 {
            return (.skipped, "xen,enhanced = \"no-xenstore\"; skipped")
        } else if pfn >= Self.maxGuestFrame {
            throw ToolstackError("HVM_PARAM_STORE_PFN = 0x\(String(pfn, radix: 16)) is not a guest frame; not initialised")
        }

        var handle = info.handle
        if handle.count != 16 || handle.allSatisfy({ $0 == 0 }) {
            handle = Self.version4(environment.newHandle())
            let newHandle = handle
            try hv { () throws(HypervisorError) in try control.setHandle(domain, to: newHandle) }
        }
        let online = try hv { () throws(HypervisorError) in try control.onlineVCPUs(info) }
        let uuid = Self.format(handle)
        let time = environment.clock()
        // The node's memory when known: Xen's maximum is raised for an allocated page, and a run after
        // one that was stopped midway would otherwise read the raised value.
        let staticMax = node?.memoryKiB ?? info.maxMemoryKiB
        let stub = Dom0lessStub(c_info: .init(name: name, uuid: uuid),
                                b_info: .init(max_vcpus: online.count, max_memkb: staticMax, target_memkb: staticMax))
        let tree = Dom0lessXenstoreTree(
            domain: domain, name: name, uuid: uuid, startTime: "\(time.seconds).\(time.centiseconds < 10 ? "0" : "")\(time.centiseconds)",
            maxMemoryKiB: staticMax, targetMemoryKiB: staticMax, onlineVCPUs: online, eventChannel: UInt32(channel), ringPFN: pfn,
            libxlJSON: try stub.json())
        try writeTree(tree)
        do {
            try xenstore.introduceDomain(domain, mfn: pfn, eventChannel: UInt32(channel))
        } catch {
            let undo = (try? removeTree(tree)) != nil ? "its xenstore entries were removed again" : "removing its xenstore entries failed too"
            throw ToolstackError("\(error); \(undo); run init-dom0less again")
        }
        let page = allocated ? "allocated xenstore page at gfn 0x\(String(pfn, radix: 16))" : "Xen's xenstore page at gfn 0x\(String(pfn, radix: 16))"
        let vcpus = online.count == 1 ? "1 vCPU" : "\(online.count) vCPUs"
        return (.initialised, "initialised: \(page), event channel \(channel), \(vcpus), uuid \(uuid)")
    }

    /// 4.17–4.20 and `legacy`: the page at gfn 0x39001, unless a previous run already placed it.
    private func allocatePage(_ info: Dom0lessDomainInfo) throws -> UInt64 {
        let gfn = Dom0lessXenstore.pageGFN
        guard !directMapped else {
            throw ToolstackError("direct-mapped: Xen \(version) cannot give it a page at gfn 0x39001 (populate_physmap maps only frames it owns there); use Xen 4.21+, where Xen allocates the page; not initialised")
        }
        let present = try hv { () throws(HypervisorError) in try control.isPagePresent(domain, gfn: gfn) }
        if !present {
            if info.currentMemoryKiB + 4 > info.maxMemoryKiB {
                try hv { () throws(HypervisorError) in try control.setMaxMemory(domain, kiB: info.currentMemoryKiB + 4) }
            }
            try hv { () throws(HypervisorError) in try control.populateCleared(domain, gfn: gfn) }
        }
        try hv { () throws(HypervisorError) in try control.markXenstoreReconnect(domain, gfn: gfn) }
        try hv { () throws(HypervisorError) in try control.seedGrantTable(info, xenstoreGFN: gfn, xenstoreDomain: .dom0) }
        try hv { () throws(HypervisorError) in try control.setHVMParam(.storePFN, of: domain, to: gfn) }
        return gfn
    }

    /// One transaction: refuses a home it did not write (a domain `xl create` is building), replaces
    /// one it wrote before (a run that failed after committing), then writes every node.
    private func writeTree(_ tree: Dom0lessXenstoreTree) throws {
        let marker = tree.libxlPath + "/libxl-json"
        try xs("transaction") { () throws(XenStoreError) in
            do {
                try xenstore.transaction { tx in
                    let ours = try xenstore.exists(marker, in: tx)
                    if try !ours && xenstore.exists(tree.home, in: tx) {
                        throw Dom0lessForeignHome()
                    }
                    if ours {
                        if let old = try xenstore.readString(tree.home + "/vm", in: tx).flatMap(Toolstack.vmPath) {
                            try xenstore.remove(old, in: tx)
                        }
                        try xenstore.remove(tree.home, in: tx)
                        try xenstore.remove(tree.libxlPath, in: tx)
                    }
                    try tree.write(to: xenstore, in: tx)
                }
            } catch let error as XenStoreError {
                throw error
            } catch {
                throw XenStoreError("transaction", path: tree.home, errno: .EEXIST)
            }
        }
    }

    /// Undoes ``writeTree(_:)`` after a failed introduction.
    private func removeTree(_ tree: Dom0lessXenstoreTree) throws {
        try xenstore.transaction { tx in
            try xenstore.remove(tree.vmPath, in: tx)
            try xenstore.remove(tree.home, in: tx)
            try xenstore.remove(tree.libxlPath, in: tx)
        }
    }

    private func hv<T>(_ body: () throws(HypervisorError) -> T) throws -> T {
        do { return try body() } catch { throw ToolstackError("\(error); not initialised") }
    }

    private func xs<T>(_ step: String, _ body: () throws(XenStoreError) -> T) throws -> T {
        do { return try body() } catch where error.errno == .EEXIST && error.operation == "transaction" {
            throw ToolstackError("\(error.path ?? "its home") exists but was not written by init-dom0less (is xl creating this domain?); left alone")
        } catch {
            throw ToolstackError("\(error); not initialised")
        }
    }

    /// Marks 16 random bytes as an RFC 4122 version 4 uuid.
    static func version4(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = Array((bytes + Array(repeating: 0, count: 16)).prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return bytes
    }

    /// `8-4-4-4-12` lowercase hex.
    static func format(_ handle: [UInt8]) -> String {
        let hex = handle.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}

/// The domain's xenstore home exists and has no init-dom0less record.
struct Dom0lessForeignHome: Error {}
