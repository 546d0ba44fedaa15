// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XenStoreClient

/// The hotplug scripts of a simulated dom0, by name, as upstream's `vif-bridge` and `block` behave: they
/// read the back end named by `XENBUS_PATH`, make the interface or loop device (kept in ``SimulatedDeviceState``),
/// and write `hotplug-status` (`connected`, or `error` with `hotplug-error`). No program is run. Each run is a
/// kill point (``SimulatedKillPoints``) named `hotplug SCRIPT ACTION`.
extension SimulatedHost {
    /// What a script run returned.
    public struct HotplugResult: Sendable, Equatable {
        public var status: Int32
        public var output: String
    }

    /// Runs the script `script` (any directory; its name picks the model) with `arguments` and `environment`.
    public func runHotplugScript(_ script: String, arguments: [String], environment: [String: String]) -> HotplugResult {
        let name = script.split(separator: "/").last.map(String.init) ?? script
        guard let relative = environment["XENBUS_PATH"], relative.hasPrefix("backend/"), !relative.contains("..") else {
            return HotplugResult(status: 1, output: "\(name): XENBUS_PATH is not set")
        }
        let backend = "/local/domain/0/\(relative)"
        let action = arguments.first ?? ""
        // A kill point: an xl killed here leaves the nodes written and the script not run.
        hypervisor.killPoints?.reached("hotplug \(name) \(action)")
        defer { runDevices() }
        if action == "online" || action == "add", let index = hypervisor.state.deviceState.faults.firstIndex(of: .scriptFails) {
            hypervisor.state.deviceState.faults.remove(at: index)
            return fail(backend, name, "injected failure (script-fails)")
        }
        switch (name, action) {
        case ("vif-bridge", "online"):
            let bridge = (try? dom0Drivers.readString("\(backend)/bridge")) ?? ""
            guard hypervisor.state.deviceState.bridges.contains(bridge) else {
                return fail(backend, name, "Could not find bridge device \(bridge)")
            }
            let interface = (try? dom0Drivers.readString("\(backend)/vifname")) ?? environment["vif"] ?? ""
            if !hypervisor.state.deviceState.interfaces.contains(where: { $0.backend == backend }) {
                hypervisor.state.deviceState.interfaces.append(SimulatedInterface(name: interface, bridge: bridge, backend: backend))
            }
            return connected(backend)
        case ("vif-bridge", "offline"):
            hypervisor.state.deviceState.interfaces.removeAll { $0.backend == backend }
            return HotplugResult(status: 0, output: "")
        case ("block", "add"):
            let params = (try? dom0Drivers.readString("\(backend)/params")) ?? ""
            guard !params.isEmpty, FileManager.default.fileExists(atPath: params), !params.hasSuffix("/") else {
                return fail(backend, name, "\(params) does not exist.")
            }
            var physical = "fe:0"
            if !params.hasPrefix("/dev/") {
                let used = Set(hypervisor.state.deviceState.loopDevices.map(\.index))
                let index = (0...).first { !used.contains($0) } ?? 0
                hypervisor.state.deviceState.loopDevices.append(SimulatedLoopDevice(index: index, file: params, backend: backend))
                physical = "7:" + String(index, radix: 16)
                _ = try? dom0Drivers.write("\(backend)/physical-device-path", string: "/dev/loop\(index)")
            } else {
                _ = try? dom0Drivers.write("\(backend)/physical-device-path", string: params)
            }
            _ = try? dom0Drivers.write("\(backend)/physical-device", string: physical)
            return connected(backend)
        case ("block", "remove"):
            hypervisor.state.deviceState.loopDevices.removeAll { $0.backend == backend }
            return HotplugResult(status: 0, output: "")
        default:
            return HotplugResult(status: 127, output: "\(script): the simulated host has no such hotplug script (it models vif-bridge and block)")
        }
    }

    private func connected(_ backend: String) -> HotplugResult {
        _ = try? dom0Drivers.write("\(backend)/hotplug-status", string: "connected")
        return HotplugResult(status: 0, output: "")
    }

    private func fail(_ backend: String, _ name: String, _ message: String) -> HotplugResult {
        _ = try? dom0Drivers.write("\(backend)/hotplug-error", string: message)
        _ = try? dom0Drivers.write("\(backend)/hotplug-status", string: "error")
        return HotplugResult(status: 1, output: "\(name): \(message)")
    }
}
