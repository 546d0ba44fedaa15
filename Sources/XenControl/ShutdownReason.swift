// SPDX-License-Identifier: Apache-2.0
/// Why a domain shut down: Xen's `SHUTDOWN_*` codes (`xen/include/public/sched.h`), which `xl list` shows as its
/// fifth state letter and the monitor maps to an `on_*` action.
public enum ShutdownReason: UInt8, Hashable, Sendable, Codable, CaseIterable {
    case poweroff = 0
    case reboot = 1
    case suspend = 2
    case crash = 3
    case watchdog = 4
    case softReset = 5

    /// The word the PV control node carries for a request of this reason (`control/shutdown`), where one exists.
    public var controlRequest: String? {
        switch self {
        case .poweroff: return "poweroff"
        case .reboot: return "reboot"
        case .suspend: return "suspend"
        case .crash, .watchdog, .softReset: return nil
        }
    }

    /// How logs name the reason.
    public var name: String {
        switch self {
        case .poweroff: return "poweroff"
        case .reboot: return "reboot"
        case .suspend: return "suspend"
        case .crash: return "crash"
        case .watchdog: return "watchdog"
        case .softReset: return "soft_reset"
        }
    }
}
