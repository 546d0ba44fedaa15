// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenTypes

/// The host facts of a simulated ARM64 machine, as Xen on it reports them: one NUMA node, one thread per core and
/// one core per socket, the CPUs of the boot tree, 4 GiB of RAM less what the domains hold, the generic timer's
/// 62.5 MHz as `cpu_khz`, credit2, and a console ring that starts with Xen's boot messages.
extension SimulatedHypervisor: HostInformation {
    /// Pages of RAM the simulated host has (4 GiB).
    public static let totalPages: UInt64 = 1 << 20
    /// `XEN_SCHEDULER_CREDIT2`, Xen's default since 4.12.
    public static let schedulerCredit2: UInt32 = 6

    public func physicalInfo() throws(HypervisorError) -> PhysicalInfo {
        try injectedFailure("XEN_SYSCTL_physinfo")
        let cpus = UInt32(max(cpuCount(), 1))
        let usedPages = state.domains.reduce(UInt64(0)) { $0 + $1.memoryKiB / 4 }
        var capabilities = PhysicalInfo.Capability.hvm.rawValue | PhysicalInfo.Capability.hap.rawValue | PhysicalInfo.Capability.gnttabV1.rawValue
        if state.domains.contains(where: { $0.id == .dom0 && $0.iommu }) { capabilities |= PhysicalInfo.Capability.directio.rawValue }
        return PhysicalInfo(
            threadsPerCore: 1, coresPerSocket: 1, nrCPUs: cpus, maxCPUID: cpus - 1, nrNodes: 1, maxNodeID: 0, cpuKHz: 62500,
            capabilities: capabilities, archCapabilities: 0, totalPages: Self.totalPages,
            freePages: Self.totalPages > usedPages ? Self.totalPages - usedPages : 0, scrubPages: 0, outstandingPages: 0,
            maxMFN: 0x40000 + Self.totalPages - 1, hwCap: Array(repeating: 0, count: 8))
    }

    public func versionInfo() throws(HypervisorError) -> XenVersionInfo {
        try injectedFailure("XENVER_version")
        let release = state.version
        // XENVER_platform_parameters: XEN_VIRT_START before the 4.18 layout, the 4.18 one after, and 0 for a
        // non-PV caller from 4.20 on.
        let virtStart: UInt64 = release < .v4_18 ? 0x200000 : release.minor >= 20 ? 0 : 0xa0000200000
        return XenVersionInfo(
            major: release.major, minor: release.minor, extra: ".0", capabilities: "xen-3.0-aarch64 xen-3.0-armv7l ",
            changeset: "simulated", virtStart: virtStart, pageSize: 4096, commandline: xenCommandLine(),
            compiler: "xl-swift simulator", compileBy: "xl-swift", compileDomain: "simulated", compileDate: "simulated",
            buildID: String(repeating: "0", count: 36) + [release.major, release.minor].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    public func schedulerID() throws(HypervisorError) -> UInt32 {
        try injectedFailure("XEN_SYSCTL_sched_id")
        return Self.schedulerCredit2
    }

    public func readConsole(clear: Bool) throws(HypervisorError) -> [UInt8] {
        try injectedFailure("XEN_SYSCTL_readconsole")
        let text = state.xenConsole ?? bootMessages()
        if clear { state.xenConsole = "" }
        return Array(text.utf8)
    }

    /// What Xen prints while it boots, as its console ring holds it.
    public func bootMessages() -> String {
        let release = "\(state.version.major).\(state.version.minor).0"
        var lines = [
            "(XEN) Xen version \(release) (xl-swift@simulated) (xl-swift simulator) debug=n",
            "(XEN) Latest ChangeSet: simulated",
            "(XEN) Command line: \(xenCommandLine())",
            "(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)",
            "(XEN) Allocated console ring of 16 KiB.",
            "(XEN) Brought up \(max(cpuCount(), 1)) CPUs",
        ]
        for domain in state.dom0less?.domains ?? [] { lines.append("(XEN) *** LOADING DOMU cpus=\(domain.onlineVCPUs.count) memory=\(String(domain.maxMemoryKiB, radix: 16))KB ***") }
        lines.append("(XEN) Freed 360kB init memory.")
        return lines.map { $0 + "\n" }.joined()
    }

    /// `/chosen/xen,xen-bootargs` of the boot tree.
    private func xenCommandLine() -> String {
        guard let tree = try? DeviceTree(validating: state.bootTree) else { return "" }
        return tree.property("xen,xen-bootargs", of: "/chosen")?.deviceTreeString ?? ""
    }

    /// The `cpu@` nodes under `/cpus` of the boot tree.
    func cpuCount() -> Int {
        guard let tree = try? DeviceTree(validating: state.bootTree) else { return 0 }
        return BootCPUPools.cpuNodes(in: tree).count
    }
}
