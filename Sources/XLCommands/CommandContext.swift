// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import FoundationEssentials
import Toolstack
import XenControl
import XenSimulator
import XenStoreClient
import XenSys
import XenTypes

/// What a subcommand runs with: the global options, the environment, the output, and the backends.
final class CommandContext {
    let globals: GlobalOptions
    let environment: [String: String]
    let output: Output
    /// The `xl` executable, which `create` starts again as the domain's monitor; nil when `xl` runs inside another
    /// program (then `create` needs `-e` or `-F`).
    let executable: String?
    private(set) var simulatedHost: SimulatedHost?

    init(globals: GlobalOptions, environment: [String: String], output: Output, executable: String? = nil) {
        self.globals = globals
        self.environment = environment
        self.output = output
        self.executable = executable
    }

    /// The simulated host's directory, from `--simulate` or `XL_SIMULATE`, made absolute: the monitor a create
    /// leaves behind works from `/`, and the host's files must be the same ones from there.
    var simulationDirectory: String? {
        guard let directory = globals.host.simulate ?? environment["XL_SIMULATE"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return nil
        }
        return Self.absolute(directory)
    }

    /// `path` made absolute against the working directory (the monitor is handed only absolute paths).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Where libxl's per-domain userdata files are kept: `DIR/var/lib/xen` on a simulated host, else `XEN_LIB_DIR` from
    /// the environment or upstream's `/var/lib/xen`.
    var userdataDirectory: String {
        if let directory = simulationDirectory { return directory + DomainUserdata.defaultDirectory }
        if let directory = environment["XEN_LIB_DIR"], !directory.isEmpty { return directory }
        return DomainUserdata.defaultDirectory
    }

    /// Opens the backends: the simulated host when asked for, otherwise the real Xen.
    func toolstack() throws -> Toolstack {
        let hostDTB = try globals.host.hostDTB.map(readHostDTB)
        let version = try globals.host.xenVersion.map { text throws -> XenVersion in
            guard let version = XenVersion(text), version >= .v4_17 else {
                throw ToolstackError("--xen-version \(text): give a Xen release from 4.17 on, such as 4.19")
            }
            return version
        }
        let flavour = try globals.xenFlavour.map { name throws -> XenFlavour in
            guard let flavour = XenFlavour(rawValue: name) else {
                throw ToolstackError("--xen-flavour \(name): expected \(XenFlavour.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            return flavour
        }
        let hypervisor: any Hypervisor
        let xenstore: any XenStore
        var bootTree = hostDTB
        if let directory = simulationDirectory {
            let isNew = HostMessages.isNewSimulatedHost(directory)
            let host = try SimulatedHost.open(
                directory: directory, hostDTB: hostDTB, version: version, flavour: flavour, xenstoredSocket: environment["XENSTORED_PATH"],
                killPoints: try SimulatedKillPoints(environment: environment))
            simulatedHost = host
            if isNew { output.error(HostMessages.created(host.hypervisor.state, in: directory)) }
            hypervisor = host.hypervisor
            xenstore = host.xenstore
            if bootTree == nil { bootTree = try host.bootTree() }
        } else {
            if version != nil { throw ToolstackError("--xen-version applies only to a simulated host (--simulate DIR)") }
            if flavour != nil { throw ToolstackError("--xen-flavour applies only to a simulated host (--simulate DIR)") }
            do { hypervisor = try XenCallHypervisor.open(builderLog: globals.verbose > 0) } catch { throw HostMessages.unreachable(error) }
            do { xenstore = try LibXenStoreBackend(socketPath: environment["XENSTORED_PATH"]) } catch {
                throw ToolstackError("xenstored is not reachable (\(error.errno.name)); is xenstored running?")
            }
        }
        let verbose = globals.verbose > 0
        let output = self.output
        let toolstack = Toolstack(
            hypervisor: hypervisor, xenstore: xenstore, bootTree: bootTree, dryRun: globals.dryRun,
            output: { output.line($0) }, log: { if verbose { output.error($0) } })
        if let directory = simulationDirectory {
            toolstack.grantMapper = { try SimulatedGrantTable(hostDirectory: directory).mapper() }
        }
        try configureDevices(toolstack)
        toolstack.userdata = DomainUserdata(directory: userdataDirectory, files: LocalFiles())
        return toolstack
    }

    /// Saves the simulated host's state (after success and after failure alike: a failed
    /// operation leaves state as Xen left it) and releases its lock.
    func finish() throws {
        guard let host = simulatedHost else { return }
        simulatedHost = nil
        defer { host.close() }
        guard !globals.dryRun else { return }
        host.endOfCommand()
        try host.save()
    }

    private func readHostDTB(_ path: String) throws -> DeviceTree {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolstackError("--host-dtb \(path): cannot read the file") }
        do { return try DeviceTree(validating: Array(data)) } catch {
            throw ToolstackError("--host-dtb \(path): \(error.message)")
        }
    }
}

extension LocalFiles: UserdataFiles {}
