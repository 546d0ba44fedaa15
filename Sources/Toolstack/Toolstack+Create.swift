// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import FoundationEssentials
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// `xl create`: checks the configuration, the partial device tree and the passthrough devices, then builds the
    /// domain step by step; a failed step undoes all earlier ones. Returns the new domain, or nil for a dry run.
    @discardableResult
    public func createDomain(_ config: DomainConfig, paused: Bool) throws -> DomainID? {
        let prefix = "create \(config.name)"
        let partial = try config.deviceTree.map { try PartialDeviceTree(path: $0) }
        let spis = try SPICount.required(config)
        try checkPassthroughAgainstHost(config)
        try checkDevices(config)
        try checkNameIsFree(config.name)
        try checkUUIDIsFree(config)
        let kernel = try Self.readImage(config.kernel, key: "kernel", config)
        let ramdisk = try config.ramdisk.map { try Self.readImage($0, key: "ramdisk", config) }
        let version = try xenVersion()
        let predicted = Self.guestGIC(config.gicVersion, host: bootTree)
        let inputs = { (gic: GuestGIC) in
            GuestDeviceTree.Inputs(gic: gic, xen: version, partial: partial, kernel: kernel, ramdiskBytes: ramdisk?.count)
        }
        let planned = try GuestDeviceTree(config: config, inputs(predicted == .native ? .v3 : predicted))
        try partial?.checkResources(in: planned.tree, config: config)
        try StaticSharedMemoryLayout.check(config)
        try Self.checkPlacement(planned, kernel: kernel, ramdisk: ramdisk, config)

        if dryRun {
            try checkStaticSharedMemory(config)
            // stdout carries one JSON document, as upstream's; the guest's device tree goes with the diagnostics.
            output(config.libxlJSON())
            log("guest device tree:\n" + (try DeviceTreeCompiler.decompile(planned.tree) ?? DeviceTreeSource.render(planned.tree)))
            return nil
        }
        guard let control = hypervisor as? any DomainControl else {
            throw ToolstackError("\(prefix): this hypervisor backend cannot create domains")
        }
        // libxl records each interface with the devid, MAC and type it filled in, so a restart keeps them.
        let config = Self.resolvingNetworkDefaults(config)
        guard let uuid = config.uuid ?? DomainUUID.random() else { throw ToolstackError("\(prefix): cannot generate a UUID") }
        let backends: (store: DomainID, console: DomainID)
        do { backends = try serviceDomains() } catch let error as ToolstackError { throw ToolstackError("\(prefix): \(error.message)") }
        var run = CreateRun(control: control, xenstore: xenstore, prefix: prefix, backend: backends.console)
        let created = try run.step("create domain") {
            try control.createDomain(DomainCreateConfig(
                handle: uuid.bytes, maxVCPUs: config.vcpus ?? 1, gic: predicted, nrSPIs: spis, iommu: config.passthrough != .disabled))
        }
        let domain = created.id
        run.domain = domain
        let entries = GuestXenStoreEntries(domain: domain, uuid: uuid, config: config)
        run.vmPath = entries.vmPath
        run.createdParents = try run.step("write xenstore entries") {
            try entries.write(to: xenstore, startTime: Date().timeIntervalSince1970, record: try Self.record(config, uuid: uuid, gic: created.gic))
        }
        try run.step("set vCPUs") { try control.setMaxVCPUs(domain, count: config.vcpus ?? 1) }
        try run.step("set maximum memory") { try control.setMaxMemory(domain, kib: config.maxMemoryKiB + Self.maxMemorySlackKiB) }
        let store = try run.step("allocate the xenstore event channel") {
            GuestEventChannel(port: try control.allocateEventChannel(domain, remote: backends.store), remote: backends.store)
        }
        let console = try run.step("allocate the console event channel") {
            GuestEventChannel(port: try control.allocateEventChannel(domain, remote: backends.console), remote: backends.console)
        }
        try run.step("set the P2M pool") { try control.setPagingPool(domain, bytes: Self.pagingPoolKiB(config) * 1024) }
        let guestTree = try run.step("generate the guest device tree") { try GuestDeviceTree(config: config, inputs(created.gic)) }
        let boot = try run.step("load kernel \(config.kernel)") {
            try control.loadKernel(domain, image: GuestBootImage(
                memoryKiB: config.targetMemoryKiB, kernel: kernel, ramdisk: ramdisk, deviceTree: guestTree.tree.bytes, cmdline: config.cmdline,
                vcpus: config.vcpus ?? 1, store: store, console: console, vpl011: config.vuart == .sbsaUART))
        }
        try run.step("introduce to xenstored") {
            try entries.writeStore(GuestRing(gfn: boot.storeGFN, port: store.port), to: xenstore)
            try xenstore.introduceDomain(domain, mfn: boot.storeGFN, eventChannel: store.port)
        }
        if !config.staticSharedMemory.isEmpty {
            try run.step("static_shm") { try attachStaticSharedMemory(config, domain: domain, control: control) }
        }
        let devices = bootTree.map { HostDeviceMap(tree: $0) }
        for (index, irq) in config.irqs.enumerated() {
            let at = Self.entryLocation(config, "irqs", index) + "irqs: "
            try run.step("route IRQ \(irq)", at: at, explain: { PassthroughFailure.irq(irq, $0, owner: devices?.owner(ofIRQ: irq)) }) {
                try control.bindSPI(irq, to: domain)
            }
        }
        for (index, range) in config.iomem.enumerated() {
            let at = Self.entryLocation(config, "iomem", index) + "iomem: "
            let explain = { (errno: Errno) in PassthroughFailure.iomem(errno, owner: devices?.owner(ofFrame: range.start)) }
            try run.step("iomem \(range.spec): permission", at: at, explain: explain) {
                try control.iomemPermission(domain, frame: range.start, count: range.number, allow: true)
            }
            var done: UInt64 = 0
            while done < range.number {
                let count = min(DomainControlLimits.mappingBatch, range.number - done)
                try run.step("iomem \(range.spec): map", at: at, explain: explain) {
                    try control.memoryMapping(domain, gfn: range.gfn + done, frame: range.start + done, count: count, add: true)
                }
                done += count
            }
        }
        for (index, path) in config.dtdevs.enumerated() {
            let at = Self.entryLocation(config, "dtdev", index) + "dtdev: "
            try run.step("dtdev \(path): test assign", at: at, explain: { PassthroughFailure.dtdev(path, $0, test: true) }) {
                try control.testAssignDevice(path)
            }
            try run.step("dtdev \(path): assign", at: at, explain: { PassthroughFailure.dtdev(path, $0, test: false) }) {
                try control.assignDevice(path, to: domain)
            }
        }
        run.createdParents += try run.step("console") {
            try entries.writeConsole(GuestRing(gfn: boot.consoleGFN, port: console.port), vpl011: boot.vpl011, backend: backends.console, to: xenstore)
        }
        // libxl's order: the disks, then the network interfaces; each undone with the domain when a later step fails.
        if !config.disks.isEmpty || !config.nics.isEmpty {
            run.teardownDevices = { [self] in removeAllDevices(of: domain) }
            let info = try run.step("find the new domain") { try findDomain(String(domain.rawValue)) }
            for (index, disk) in config.disks.enumerated() {
                let at = Self.entryLocation(config, "disk", index) + "disk: "
                try run.step("disk \(disk.vdev)", at: at) { try addDisk(disk, to: info, prefix: "", updateRecord: false) }
            }
            for (index, nic) in config.nics.enumerated() {
                let at = Self.entryLocation(config, "vif", index) + "vif: "
                try run.step("vif \(index)", at: at) { _ = try addNetwork(nic, to: info, prefix: "", updateRecord: false) }
            }
        }
        if let userdata {
            let path = userdata.path(domain, uuid: uuid.description)
            try run.step("record the configuration in \(path)") {
                try storeConfigRecordFile(try Self.record(config, uuid: uuid, gic: created.gic, pretty: true), domain, uuid: uuid.description)
            }
            run.undoRecord = { try? userdata.remove(domain, uuid: uuid.description) }
        }
        if !paused { try run.step("unpause") { try control.unpause(domain) } }
        log("created domain \(domain) (\(config.name))")
        return domain
    }

    /// libxl's default `shadow_memory` for an ARM guest (`libxl_get_required_shadow_memory`): 1 MiB per vCPU
    /// and 8 KiB per MiB of `maxmem`, which ARM uses as the P2M pool.
    static func pagingPoolKiB(_ config: DomainConfig) -> UInt64 {
        4 * (256 * UInt64(config.vcpus ?? 1) + 2 * (config.maxMemoryKiB / 1024))
    }

    /// `LIBXL_MAXMEM_CONSTANT`: the KiB libxl allows over the guest's RAM, where the builder's magic pages go.
    static let maxMemorySlackKiB: UInt64 = 1024

    /// The domains xenstored and xenconsoled run in (`/tool/xenstored/domid`, `/tool/xenconsoled/domid`;
    /// dom0 when not written), which libxl makes the remote ends of the guest's event channels.
    func serviceDomains() throws -> (store: DomainID, console: DomainID) {
        func read(_ path: String) throws -> DomainID {
            let value: String?
            do { value = try xenstore.readString(path) } catch { throw ToolstackError("cannot read \(path) from xenstore: \(error.errno)") }
            guard let value else { return .dom0 }
            guard let id = UInt16(value), DomainID(id) < DomainID.firstReserved else {
                throw ToolstackError("\(path) is \"\(value)\", which is not a domain id")
            }
            return DomainID(id)
        }
        return (try read("/tool/xenstored/domid"), try read("/tool/xenconsoled/domid"))
    }

    /// The builder will refuse a kernel that is not an arm64 `Image` (gzip-compressed ones it unpacks first, so
    /// they are left to it) and images that do not fit in RAM: say so before any hypercall.
    private static func checkPlacement(_ planned: GuestDeviceTree, kernel: [UInt8], ramdisk: [UInt8]?, _ config: DomainConfig) throws {
        guard planned.layout == nil, !kernel.starts(with: [0x1F, 0x8B]) else { return }
        let location = { (key: String) in config.locations[key].map { "\($0): " } ?? "" }
        do throws(ARMBootLayout.Failure) {
            _ = try ARMBootLayout(kernel: kernel, ramdiskBytes: ramdisk?.count, deviceTreeBytes: planned.tree.bytes.count,
                                  memoryKiB: config.targetMemoryKiB)
        } catch {
            switch error {
            case .notAnImage:
                throw ToolstackError("\(location("kernel"))kernel: \(config.kernel) is not an arm64 Image (no \"ARM\\x64\" magic at 0x38)")
            case .kernelTooLarge, .kernelOutsideRAM:
                throw ToolstackError("\(location("kernel"))kernel: \(config.kernel) (\(kernel.count) bytes at text_offset 0x"
                    + String(ARMBootLayout.imageTextOffset(kernel) ?? 0, radix: 16) + ") does not fit in the first RAM bank of \(config.targetMemoryKiB / 1024) MiB")
            case .memory:
                throw ToolstackError("\(location("memory"))memory: \(config.targetMemoryKiB / 1024) MiB leaves no room for the kernel, ramdisk and device tree in the first RAM bank")
            }
        }
    }

    /// The configuration as recorded for `xl list -l`: with the uuid used and the GIC Xen chose, as libxl keeps it.
    private static func record(_ config: DomainConfig, uuid: DomainUUID, gic: GuestGIC, pretty: Bool = false) throws -> String {
        var recorded = config
        recorded.uuid = uuid
        switch gic {
        case .v2: recorded.gicVersion = .v2
        case .v3: recorded.gicVersion = .v3
        case .native: break
        }
        return recorded.libxlJSON(pretty: pretty)
    }

    /// The GIC to ask Xen for; `.native` when neither the configuration nor the host tree says.
    static func guestGIC(_ requested: GICVersion?, host: DeviceTree?) -> GuestGIC {
        switch requested {
        case .v2: return .v2
        case .v3: return .v3
        case .default, nil:
            guard let host, let paths = try? host.nodePaths() else { return .native }
            for path in paths where host.isGIC(path) {
                return (host.property("compatible", of: path)?.deviceTreeStrings ?? []).contains("arm,gic-v3") ? .v3 : .v2
            }
            return .native
        }
    }

    private func checkNameIsFree(_ name: String) throws {
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("create \(name): cannot list domains: \(error.errno)") }
        for info in domains where try domainName(info.id) == name {
            throw ToolstackError("create \(name): domain \(info.id) already has this name")
        }
    }

    /// A uuid given in the config must not be a running domain's: its `/vm/<uuid>` would be shared and
    /// later removed with either domain.
    private func checkUUIDIsFree(_ config: DomainConfig) throws {
        guard let uuid = config.uuid else { return }
        let taken: Bool
        do { taken = try xenstore.exists("/vm/\(uuid)") } catch {
            throw ToolstackError("create \(config.name): cannot read /vm from xenstore: \(error.errno)")
        }
        if taken {
            let location = config.locations["uuid"].map { "\($0): " } ?? ""
            throw ToolstackError("\(location)uuid: \(uuid) already belongs to a domain (/vm/\(uuid) exists)")
        }
    }

    private static func readImage(_ path: String, key: String, _ config: DomainConfig) throws -> [UInt8] {
        let location = config.locations[key].map { "\($0): " } ?? ""
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolstackError("\(location)\(key): cannot read \(path)")
        }
        guard !data.isEmpty else { throw ToolstackError("\(location)\(key): \(path) is empty") }
        return Array(data)
    }
}

/// The steps of one `xl create` done so far, to undo them when a later one fails.
struct CreateRun {
    let control: any DomainControl
    let xenstore: any XenStore
    let prefix: String
    /// The domain serving the console back end, whose `backend/` entries go with the guest.
    let backend: DomainID
    var domain: DomainID?
    var vmPath: String?
    /// Parents of the domain's entries that did not exist before.
    var createdParents: [String] = []
    /// Removes the PV devices added so far (their back ends and scripts); returns what failed.
    var teardownDevices: (() -> [String])?
    /// Removes the config record file once it is written.
    var undoRecord: (() -> Void)?

    /// Runs one step; on failure destroys the domain (Xen takes back its IRQs, mappings and devices), removes its
    /// xenstore entries, and throws one line naming the step. A step for a config entry starts the line with the
    /// entry's place (`at`, such as `vm.cfg:8:12: irqs: `) instead of the command, and adds what `explain` says
    /// the errno means.
    func step<T>(_ name: String, at location: String? = nil, explain: (Errno) -> String? = { _ in nil }, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            var undone = ""
            if let domain {
                for problem in teardownDevices?() ?? [] { undone += "; removing its devices: \(problem)" }
                do { try control.destroy(domain) } catch { undone += "; destroying domain \(domain) also failed: \(error)" }
                do { try StaticSharedMemoryRecords.release(domain, in: xenstore) } catch {
                    undone += "; removing its static_shm records also failed: \(error)"
                }
                do { try GuestXenStoreEntries.remove(domain: domain, vm: vmPath, backend: backend, parents: createdParents, from: xenstore) } catch {
                    undone += "; removing its xenstore entries also failed: \(error)"
                }
                undoRecord?()
            }
            let meaning = (error as? HypervisorError).flatMap { explain($0.errno) }.map { ": \($0)" } ?? ""
            throw ToolstackError("\(location ?? prefix + ": ")step \"\(name)\" failed: \(Self.reason(error))\(meaning)\(undone)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? HypervisorError { return error.returned }
        return String(describing: error)
    }
}

extension DomainUUID {
    /// A random (version 4) UUID, as libxl generates when the configuration gives none.
    static func random() -> DomainUUID? {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let text = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r in
            String(hex.dropFirst(r.lowerBound).prefix(r.count))
        }.joined(separator: "-")
        return DomainUUID(text)
    }
}
