// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import Toolstack
import XenControl
import XenSimulator

/// The lines `xl` and `init-dom0less` say about the host they run on: Xen out of reach, and a simulated host
/// made on first use.
enum HostMessages {
    /// Opening Xen's control device failed. Refused permission (`EACCES`, `EPERM`) means Xen is there and the
    /// caller is not root: say so, without sending the user to the simulator.
    static func unreachable(_ error: HypervisorError) -> ToolstackError {
        switch error.errno {
        case .EACCES, .EPERM:
            return ToolstackError("permission denied opening Xen's control device (\(error.operation): \(error.errno.name)); run as root")
        default:
            return ToolstackError("Xen is not reachable on this machine (\(error.operation): \(error.errno.name)); to run against a simulated host use --simulate DIR or XL_SIMULATE=DIR")
        }
    }

    /// Whether `directory` holds no simulated host yet, so that opening it makes one.
    static func isNewSimulatedHost(_ directory: String) -> Bool {
        !FileManager.default.fileExists(atPath: directory + "/host.json")
    }

    /// The line saying a new simulated host was made, for a directory named by mistake.
    static func created(_ state: SimulatedHostState, in directory: String) -> String {
        let flavour = state.flavour == .upstream ? "" : " (\(state.flavour.rawValue))"
        return "created a new simulated Xen \(state.version)\(flavour) host in \(directory)"
    }
}
