// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// What dom0 of a simulated host holds for PV devices, saved in `host.json`: its bridges, the back-end network
/// interfaces the `vif-bridge` script made, the loop devices the `block` script set up, and injected faults.
public struct SimulatedDeviceState: Sendable, Codable, Equatable {
    /// Bridges dom0 has (`xenbr0`, as upstream's CI creates).
    public var bridges: [String] = ["xenbr0"]
    public var interfaces: [SimulatedInterface] = []
    public var loopDevices: [SimulatedLoopDevice] = []
    /// Faults the next device operations meet (``SimulatedDeviceFault``).
    public var faults: [SimulatedDeviceFault] = []

    public init() {}
}

/// A back-end network interface (`vif3.0`) and the bridge it joined.
public struct SimulatedInterface: Sendable, Codable, Equatable {
    public var name: String
    public var bridge: String
    /// The back end it serves (`/local/domain/0/backend/vif/3/0`).
    public var backend: String

    public init(name: String, bridge: String, backend: String) {
        self.name = name
        self.bridge = bridge
        self.backend = backend
    }
}

/// A loop device (`/dev/loopN`) the `block` script attached to an image file.
public struct SimulatedLoopDevice: Sendable, Codable, Equatable {
    public var index: Int
    public var file: String
    public var backend: String

    public init(index: Int, file: String, backend: String) {
        self.index = index
        self.file = file
        self.backend = backend
    }
}

/// A fault injected into the device handshake of a simulated host.
public enum SimulatedDeviceFault: String, Sendable, Codable, CaseIterable {
    /// The next hotplug script run to add a device fails (once).
    case scriptFails = "script-fails"
    /// The guests' front ends ignore their devices (while set): nothing connects, nothing closes.
    case frontendSilent = "frontend-silent"
    /// The next back end about to connect closes instead (once).
    case backendLeaves = "backend-leaves"
}

extension SimulatedHostState {
    /// The device state; absent from `host.json` while it is a fresh host's (so removing the last device
    /// leaves the file as it was before the first).
    public var deviceState: SimulatedDeviceState {
        get { devices ?? SimulatedDeviceState() }
        set { devices = newValue == SimulatedDeviceState() ? nil : newValue }
    }
}
