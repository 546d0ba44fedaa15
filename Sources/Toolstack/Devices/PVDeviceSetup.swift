// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

/// libxl's add and remove of one PV device (`libxl__device_add_async`, `libxl__wait_device_connection`,
/// `libxl__initiate_device_generic_remove`, `libxl__device_destroy`), with its hotplug script run by `xl`
/// (`run_hotplug_scripts=1`). Every failure of an add undoes it: the script's remove, the nodes and the record.
struct PVDeviceSetup {
    let xenstore: any XenStore
    let scripts: any HotplugScriptRunner
    let timeouts: DeviceTimeouts
    let log: (String) -> Void

    /// The line an error starts with: `network-attach 3: vif 0: `.
    let prefix: String

    /// What an add changes in the domain's configuration record: the record text before and after.
    struct RecordChange {
        let libxlPath: String
        let before: String?
        let after: String
    }

    /// Adds the device; `connect` waits for the back end to connect to a running guest's front end.
    func add(_ nodes: PVDeviceNodes, record: RecordChange?, connect: Bool) throws {
        let created: [String]
        do {
            created = try xenstore.transaction { tx throws -> [String] in
                if try xenstore.exists(nodes.libxlPath, in: tx) || xenstore.exists(nodes.backendPath, in: tx) || xenstore.exists(nodes.frontendPath, in: tx) {
                    throw ToolstackError("\(prefix)the device already exists (\(nodes.libxlPath))")
                }
                let created = try Self.missingAncestors(of: [nodes.frontendPath, nodes.backendPath, nodes.libxlPath], in: tx, xenstore)
                try nodes.write(to: xenstore, in: tx)
                if let record { try LibxlConfigRecord.replace(record.after, under: record.libxlPath, to: xenstore, in: tx) }
                return created
            }
        } catch let error as ToolstackError { throw error } catch {
            throw ToolstackError("\(prefix)cannot write the device's xenstore nodes: \(error)")
        }
        var scriptRan = false
        do {
            if let failure = DeviceStateWait(xenstore: xenstore, nodes: nodes).wait(for: .initWait, timeout: timeouts.initWait) {
                throw ToolstackError("\(prefix)\(failure.explained(waitingFor: .initWait, timeout: timeouts.initWait))")
            }
            scriptRan = true
            try runScript(nodes, adding: true)
            let status = try? xenstore.read(nodes.backendPath + "/hotplug-status", in: nil)
            guard let status, status == Array("connected".utf8) else {
                let shown = status.map { "\"\(GuestWrittenValue.shown($0))\"" } ?? "missing"
                throw ToolstackError("\(prefix)the hotplug script succeeded but \(nodes.backendPath)/hotplug-status is \(shown), not \"connected\"")
            }
            if connect, let failure = DeviceStateWait(xenstore: xenstore, nodes: nodes).wait(for: .connected, timeout: timeouts.connect, checkingFrontend: true) {
                throw ToolstackError("\(prefix)\(failure.explained(waitingFor: .connected, timeout: timeouts.connect)); the guest's front end did not connect")
            }
        } catch let error as ToolstackError {
            throw ToolstackError(error.message + undo(nodes, record: record, created: created, script: scriptRan))
        }
    }

    /// Removes a device; `force` removes the front end first (libxl's forced remove: the guest is not asked).
    /// `forceOnTimeout` goes on with a forced remove when the back end does not close in time (network
    /// devices); without it a back end that does not close is an error and the device stays.
    func remove(_ nodes: PVDeviceNodes, record: RecordChange?, force: Bool, forceOnTimeout: Bool) throws {
        let state = nodes.backendPath + "/state"
        var forced = force
        var problems: [String] = []
        var backendGone = false
        while true {
            let present: Bool
            do {
                present = try xenstore.transaction { tx throws -> Bool in
                    if forced { try xenstore.remove(nodes.frontendPath, pruningUpTo: "/local/domain/\(nodes.domain)/device", in: tx) }
                    guard let value = try? xenstore.read(state, in: tx) else { return false }
                    try xenstore.write(nodes.backendPath + "/online", string: "0", in: tx)
                    if XenbusState(node: value) != .closed { try xenstore.write(state, string: XenbusState.closing.node, in: tx) }
                    return true
                }
            } catch { throw ToolstackError("\(prefix)cannot tell the back end to close: \(error)") }
            guard present else {
                // libxl: a back end already removed (its domain went away) leaves only the rest to clean up.
                backendGone = true
                break
            }
            guard let failure = DeviceStateWait(xenstore: xenstore, nodes: nodes).wait(for: .closed, timeout: timeouts.close) else { break }
            if case .timedOut = failure, !forced, forceOnTimeout {
                log("\(prefix)\(failure.explained(waitingFor: .closed, timeout: timeouts.close)); removing it by force")
                forced = true
                continue
            }
            if !forced {
                _ = try? xenstore.write(nodes.backendPath + "/online", string: "1", in: nil)
                throw ToolstackError("\(prefix)\(failure.explained(waitingFor: .closed, timeout: timeouts.close)); the guest still uses the device (use -f to remove it anyway)")
            }
            problems.append(failure.explained(waitingFor: .closed, timeout: timeouts.close))
            break
        }
        if !backendGone {
            do { try runScript(nodes, adding: false) } catch let error as ToolstackError { problems.append(error.message) }
        }
        do {
            try xenstore.transaction { tx in
                try PVDeviceNodes.remove(nodes.kind, domain: nodes.domain, backend: nodes.backendDomain, devid: nodes.devid, from: xenstore, in: tx)
                if let record { try LibxlConfigRecord.replace(record.after, under: record.libxlPath, to: xenstore, in: tx) }
            }
        } catch { throw ToolstackError("\(prefix)cannot remove the device's xenstore nodes: \(error)") }
        if !problems.isEmpty { throw ToolstackError("\(prefix)removed, but: " + problems.joined(separator: "; ")) }
    }

    /// Runs the device's hotplug script (its path is the back end's `script` node, as libxl reads it).
    private func runScript(_ nodes: PVDeviceNodes, adding: Bool) throws {
        let script = nodes.backend.first { $0.0 == "script" }?.1 ?? HotplugScriptDirectory.absolute(nodes.kind == .vif ? "vif-bridge" : "block")
        let gatewaydev = nodes.backend.first { $0.0 == "gatewaydev" }?.1
        let invocation = HotplugInvocation.libxl(nodes.kind, script: script, domain: nodes.domain, devid: nodes.devid, gatewaydev: gatewaydev, adding: adding)
        log("\(prefix)running \(invocation.commandLine)")
        let outcome: HotplugOutcome
        do { outcome = try scripts.run(invocation, timeout: timeouts.hotplug) } catch {
            throw ToolstackError("\(prefix)cannot run hotplug script \(invocation.commandLine): \(error)")
        }
        guard !outcome.succeeded else { return }
        let how = outcome.timedOut ? "was killed after \(Int(timeouts.hotplug)) s" : outcome.status.map { "exited with status \($0)" } ?? "was killed by a signal"
        let hotplugError = (try? xenstore.read(nodes.backendPath + "/hotplug-error", in: nil)).map { GuestWrittenValue.shown($0) }
        let text = outcome.output.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
        let said = [hotplugError.map { "hotplug-error: \($0)" }, text.isEmpty ? nil : "output: \(text)"].compactMap { $0 }
        throw ToolstackError("\(prefix)hotplug script \(invocation.commandLine) \(how)" + (said.isEmpty ? "" : " (\(said.joined(separator: "; ")))"))
    }

    /// Undoes a failed add; returns what to add to the error when the undo itself failed.
    private func undo(_ nodes: PVDeviceNodes, record: RecordChange?, created: [String], script: Bool) -> String {
        var notes: [String] = []
        if script {
            let invocation = HotplugInvocation.libxl(
                nodes.kind, script: nodes.backend.first { $0.0 == "script" }?.1 ?? "", domain: nodes.domain, devid: nodes.devid,
                gatewaydev: nodes.backend.first { $0.0 == "gatewaydev" }?.1, adding: false)
            if let outcome = try? scripts.run(invocation, timeout: timeouts.hotplug), !outcome.succeeded {
                notes.append("undoing with \(invocation.commandLine) also failed")
            }
        }
        do {
            try xenstore.transaction { tx in
                for path in [nodes.frontendPath, nodes.backendPath, nodes.libxlPath] where try xenstore.exists(path, in: tx) {
                    try xenstore.remove(path, in: tx)
                }
                for path in created.sorted(by: { $0.count > $1.count }) where try xenstore.exists(path, in: tx) && xenstore.children(path, in: tx).isEmpty {
                    try xenstore.remove(path, in: tx)
                }
                if let record {
                    if let before = record.before {
                        try LibxlConfigRecord.replace(before, under: record.libxlPath, to: xenstore, in: tx)
                    } else {
                        try xenstore.remove("\(record.libxlPath)/\(LibxlConfigRecord.name)", in: tx)
                    }
                }
            }
        } catch { notes.append("removing its xenstore nodes also failed: \(error)") }
        return notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
    }

    /// The ancestors of `paths` that do not exist yet (below `/local/domain/<id>` and `/libxl/<id>`), which the add creates.
    private static func missingAncestors(of paths: [String], in tx: XenStoreTransaction, _ xenstore: any XenStore) throws -> [String] {
        var missing: Set<String> = []
        for path in paths {
            var parts = path.split(separator: "/").map(String.init)
            while parts.count > 3 {
                parts.removeLast()
                let ancestor = "/" + parts.joined(separator: "/")
                if !(try xenstore.exists(ancestor, in: tx)) { missing.insert(ancestor) }
            }
        }
        return Array(missing)
    }
}
