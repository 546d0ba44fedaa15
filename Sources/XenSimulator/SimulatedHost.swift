// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import FoundationEssentials
import XenStoreClient
import XenTypes

/// A simulated Xen host whose state lives in a directory and persists across commands.
///
/// `DIR/host.json` holds the hypervisor's state and `DIR/xenstore.json` the xenstore tree,
/// unless a running xenstored is given, which is then used instead. `DIR/lock` is held from
/// ``open(directory:hostDTB:version:flavour:xenstoredSocket:)`` until ``close()``. The xenstore
/// tree is shared request by request with the guests that run meanwhile (``SharedXenStore``).
public final class SimulatedHost {
    public let directory: String
    public let hypervisor: SimulatedHypervisor
    public let xenstore: any XenStore
    private let lock: DirectoryLock
    /// The in-file xenstore, when no xenstored is used.
    private let shared: SharedXenStore?
    /// dom0's xenstore without kill points, for what the simulated guests do (not steps of the command).
    let plain: any XenStore
    /// The in-file xenstore dom0 uses (no kill points, no waking of guests), for tests that inject failures into it
    /// or open guest connections; nil on a real xenstored.
    public var sharedXenStore: SharedXenStore? { shared }
    /// The guests' own xenstore connections (``runGuests()``).
    private var guestStores: [DomainID: any XenStore] = [:]
    /// Domains shut down when the state was last loaded or saved: a newly shut-down one raises `VIRQ_DOM_EXC`.
    private var shutDown: Set<DomainID>
    /// The state as `host.json` holds it (nil for a new host): ``save()`` writes only a changed state, so a
    /// command that only reads costs no write, whatever the host holds.
    private var savedState: SimulatedHostState?

    /// The Xen release a new host runs unless told otherwise.
    public static let defaultVersion = XenVersion.v4_19

    /// Opens the host in `directory`, creating and booting it on first use.
    ///
    /// - Parameters:
    ///   - hostDTB: the device tree a new host boots with (default: ``DefaultHostTree``).
    ///   - version: the Xen release of a new host; for an existing host it must match.
    ///   - flavour: upstream Xen or the Xilinx fork, for a new host (default upstream); for an existing host it must match.
    ///   - xenstoredSocket: the socket of a running xenstored to use instead of `xenstore.json`.
    ///   - killPoints: the steps to trace and the one to die at (``SimulatedKillPoints``).
    public static func open(
        directory: String, hostDTB: DeviceTree? = nil, version: XenVersion? = nil, flavour: XenFlavour? = nil,
        xenstoredSocket: String? = nil, killPoints: SimulatedKillPoints? = nil
    ) throws -> SimulatedHost {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SimulatorError("cannot create simulated host directory \(directory)")
        }
        let lock = try DirectoryLock(path: directory + "/lock")
        let statePath = directory + "/host.json"
        let fresh = !manager.fileExists(atPath: statePath)

        var state: SimulatedHostState
        var savedState: SimulatedHostState?
        if fresh {
            let tree = try hostDTB ?? DefaultHostTree.make()
            // dom0 gets a vCPU per host CPU, as Xen on ARM does without dom0_max_vcpus.
            let cpus = max(BootCPUPools.cpuNodes(in: tree).count, 1)
            state = try SimulatedHostState(version: version ?? defaultVersion, flavour: flavour ?? .upstream, hostTree: tree, dom0VCPUs: cpus)
                .bootingDom0less()
        } else {
            state = try load(SimulatedHostState.self, from: statePath)
            savedState = state
            if let version, version != state.version {
                throw SimulatorError("the simulated host in \(directory) runs Xen \(state.version); --xen-version \(version) applies only to a new host")
            }
            if let flavour, flavour != state.flavour {
                throw SimulatorError("the simulated host in \(directory) runs \(state.flavour) Xen; --xen-flavour \(flavour) applies only to a new host")
            }
        }

        if state.bootTime == nil { state.bootTime = Date().timeIntervalSince1970 }

        var xenstore: any XenStore
        if let xenstoredSocket {
            do { xenstore = try LibXenStoreBackend(socketPath: xenstoredSocket) } catch {
                throw SimulatorError("cannot connect to xenstored at \(xenstoredSocket) (XENSTORED_PATH): \(error.errno)")
            }
        } else {
            xenstore = try SharedXenStore(directory: directory, caller: .dom0, create: true)
        }
        let shared = xenstore as? SharedXenStore
        let plain = xenstore
        let waking = GuestWakingXenStore(xenstore)
        xenstore = waking
        if let killPoints { xenstore = SteppedXenStore(xenstore, points: killPoints) }
        let host = SimulatedHost(
            directory: directory, hypervisor: SimulatedHypervisor(state: state), xenstore: xenstore, shared: shared, plain: plain, lock: lock,
            savedState: savedState)
        waking.wake = { [weak host] in host?.runGuests() }
        waking.wakeDevices = { [weak host] in host?.runDevices() }
        if fresh {
            try host.writeDom0Entries()
            try host.save()
        }
        if let killPoints {
            host.hypervisor.killPoints = killPoints
            killPoints.beforeKill = { [weak host] in try? host?.save() }
        }
        return host
    }

    private init(
        directory: String, hypervisor: SimulatedHypervisor, xenstore: any XenStore, shared: SharedXenStore?, plain: any XenStore, lock: DirectoryLock,
        savedState: SimulatedHostState?
    ) {
        self.directory = directory
        self.hypervisor = hypervisor
        self.xenstore = xenstore
        self.shared = shared
        self.plain = plain
        self.lock = lock
        self.savedState = savedState
        shutDown = Self.shutDownDomains(hypervisor.state)
    }

    private static func shutDownDomains(_ state: SimulatedHostState) -> Set<DomainID> {
        Set(state.domains.filter { $0.state.contains(.shutdown) }.map(\.id))
    }

    /// The xenstore connection a guest's drivers use: its own on the in-file store, dom0's on a real xenstored.
    func guestStore(_ domain: DomainID) -> (any XenStore)? {
        guard let shared else { return plain }
        if let store = guestStores[domain] { return store }
        let store = shared.connection(as: domain)
        guestStores[domain] = store
        return store
    }

    /// The last step of a command, before its state is saved: a kill point (``SimulatedKillPoints``).
    public func endOfCommand() { hypervisor.killPoints?.reached("end of command") }

    /// The device tree this host booted with.
    public func bootTree() throws(DeviceTreeError) -> DeviceTree { try DeviceTree(validating: hypervisor.state.bootTree) }

    /// Runs the guests once more (``runGuests()``) and their devices' drivers (``runDevices()``), then writes the hypervisor's state back to the directory
    /// (atomically) if it changed; the xenstore tree is written by every request that changes it. Like xenstored on
    /// `VIRQ_DOM_EXC`, the shared xenstore then fires `@releaseDomain` for domains that shut down since
    /// and forgets introduced domains the hypervisor no longer has.
    public func save() throws {
        runGuests()
        runDevices()
        if hypervisor.state != savedState {
            try Self.store(hypervisor.state, to: directory + "/host.json")
            savedState = hypervisor.state
        }
        let now = Self.shutDownDomains(hypervisor.state)
        defer { shutDown = now }
        if let shared {
            if !now.subtracting(shutDown).isEmpty { try shared.domainShutDown() }
            try shared.domainsDied(keeping: Set(hypervisor.state.domains.map(\.id)))
        }
    }

    /// Releases the lock; the host must not be used afterwards.
    public func close() { lock.unlock() }

    /// What xenstored holds for dom0 once `xen-init-dom0` ran: dom0's name and id, and `Pool-ID` as the name of
    /// every CPU pool Xen built at boot.
    private func writeDom0Entries() throws {
        do {
            try xenstore.write("/local/domain/0/name", string: "Domain-0")
            try xenstore.write("/local/domain/0/domid", string: "0")
            for pool in hypervisor.currentPools() {
                try xenstore.write("/local/pool/\(pool.id)/name", string: "Pool-\(pool.id)")
            }
        } catch {
            throw SimulatorError("cannot write dom0's xenstore entries: \(error)")
        }
    }

    private static func load<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulatorError("cannot read \(path)") }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw SimulatorError("\(path) is damaged or from another version of xl; remove the directory to start a new simulated host")
        }
    }

    private static func store<T: Encodable>(_ value: T, to path: String) throws {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SimulatorError("cannot write \(path): \(error)")
        }
    }
}
