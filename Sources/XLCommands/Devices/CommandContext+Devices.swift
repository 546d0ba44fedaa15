// SPDX-License-Identifier: Apache-2.0
import Toolstack

extension CommandContext {
    /// The simulator's variable that sets every device wait (``DeviceTimeouts``) to a number of seconds.
    static let deviceTimeoutVariable = "XL_SIMULATE_DEVICE_TIMEOUT"

    /// Who runs the PV devices' hotplug scripts: the simulated host's models, or the scripts themselves.
    func configureDevices(_ toolstack: Toolstack) throws {
        guard let host = simulatedHost else {
            toolstack.hotplugScripts = SpawnedHotplugScripts(environment: environment)
            return
        }
        toolstack.hotplugScripts = SimulatedHotplugScripts(host: host)
        if let text = environment[Self.deviceTimeoutVariable], !text.isEmpty {
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw ToolstackError("\(Self.deviceTimeoutVariable)=\(text): expected a number of seconds from 0 to 3600")
            }
            toolstack.deviceTimeouts = DeviceTimeouts(all: seconds)
        }
    }
}
