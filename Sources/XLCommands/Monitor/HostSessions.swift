// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Toolstack
import XenSimulator
import XenStoreClient

/// Short visits to the host for a process that outlives one command (the monitor, `shutdown -w`): each visit opens
/// the backends (on a simulated host: takes `DIR/lock`, loads `host.json`), runs, saves and lets go, so that other
/// commands and the simulated guests run in between; events are waited for on a xenstore connection of its own.
struct HostSessions {
    let globals: GlobalOptions
    let environment: [String: String]
    let output: Output

    /// The kill-point variables belong to the command that was started, not to the visits of a process it leaves.
    static let commandOnly: Set<String> = ["XL_SIMULATE_KILL_AT", "XL_SIMULATE_STEPS"]

    init(globals: GlobalOptions, environment: [String: String], output: Output) {
        self.globals = globals
        self.environment = environment.filter { !Self.commandOnly.contains($0.key) }
        self.output = output
    }

    var simulationDirectory: String? { CommandContext(globals: globals, environment: environment, output: output).simulationDirectory }

    /// One visit: `body` runs with the host's toolstack, whose state is then saved.
    func visit<T>(_ body: (Toolstack) throws -> T) throws -> T {
        let context = CommandContext(globals: globals, environment: environment, output: output)
        do {
            let result = try body(try context.toolstack())
            try context.finish()
            return result
        } catch {
            try? context.finish()
            throw error
        }
    }

    /// A xenstore connection watching `@releaseDomain`, which fires when a domain shuts down or dies.
    func releaseWatcher(token: String) throws -> any XenStore {
        let store: any XenStore
        if let directory = simulationDirectory, environment["XENSTORED_PATH"] == nil {
            do { store = try SharedXenStore(directory: directory, caller: .dom0) } catch {
                throw ToolstackError("cannot open the xenstore of the simulated host in \(directory): \(error)")
            }
        } else {
            do { store = try LibXenStoreBackend(socketPath: environment["XENSTORED_PATH"]) } catch {
                throw ToolstackError("xenstored is not reachable (\(error.errno.name)); is xenstored running?")
            }
        }
        do { try store.watch("@releaseDomain", token: token) } catch {
            throw ToolstackError("cannot watch @releaseDomain: \(error.errno)")
        }
        return store
    }

    /// How long one wait for `@releaseDomain` lasts before the domains are looked at anyway, in seconds: a
    /// simulated host on a real xenstored gets no `@releaseDomain` (nothing raises `VIRQ_DOM_EXC` there).
    var pollSeconds: Double { simulationDirectory == nil ? 60 : 2 }

    /// Waits for the next `@releaseDomain` (or the poll interval) and takes every event already queued.
    func waitForRelease(_ store: any XenStore) throws {
        do {
            _ = try store.readWatch(timeout: pollSeconds)
            while try store.readWatch(timeout: 0) != nil {}
        } catch {
            throw ToolstackError("cannot read xenstore watch events: \(error.errno)")
        }
    }

    /// On a simulated host: whether its directory still holds a host (a monitor stops when it is removed).
    var hostExists: Bool {
        guard let directory = simulationDirectory else { return true }
        return FileManager.default.fileExists(atPath: directory + "/host.json")
    }
}
