// SPDX-License-Identifier: Apache-2.0
/// How long each wait of a PV device's set-up and tear-down lasts, in seconds: the one place these limits live.
///
/// The first three are libxl's (`LIBXL_INIT_TIMEOUT`, `LIBXL_HOTPLUG_TIMEOUT`, `LIBXL_DESTROY_TIMEOUT`);
/// libxl does not wait for the guest's front end, `xl` does when the guest runs (``connect``).
public struct DeviceTimeouts: Sendable, Equatable {
    /// For the back end to reach InitWait (2) once the nodes are written.
    public var initWait: Double = 10
    /// For one hotplug script to finish; it is killed after this.
    public var hotplug: Double = 40
    /// For the back end to reach Connected (4) once the script ran, when the guest runs.
    public var connect: Double = 10
    /// For the back end to reach Closed (6) once told to close.
    public var close: Double = 10

    public init() {}

    /// Every limit set to `seconds` (the simulator's `XL_SIMULATE_DEVICE_TIMEOUT`, for tests of a silent guest).
    public init(all seconds: Double) {
        initWait = seconds
        hotplug = seconds
        connect = seconds
        close = seconds
    }
}
