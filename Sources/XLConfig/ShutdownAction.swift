// SPDX-License-Identifier: Apache-2.0
/// What to do when a guest powers off, reboots or crashes (`on_poweroff`, `on_reboot`, `on_crash`).
public enum ShutdownAction: String, Hashable, Sendable, Codable, CaseIterable {
    case destroy
    case restart
    case renameRestart = "rename-restart"
    case preserve
    case coredumpDestroy = "coredump-destroy"
    case coredumpRestart = "coredump-restart"
    case softReset = "soft-reset"

    /// The name libxl's JSON uses (`libxl_action_on_shutdown_to_string`).
    public var libxlName: String {
        switch self {
        case .destroy: return "destroy"
        case .restart: return "restart"
        case .renameRestart: return "restart_rename"
        case .preserve: return "preserve"
        case .coredumpDestroy: return "coredump_destroy"
        case .coredumpRestart: return "coredump_restart"
        case .softReset: return "soft_reset"
        }
    }
}

extension ShutdownAction {
    /// The action a libxl JSON name stands for; nil for a name libxl does not have.
    public init?(libxlName: String) {
        guard let action = Self.allCases.first(where: { $0.libxlName == libxlName }) else { return nil }
        self = action
    }
}
