// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// One run of a hotplug script as libxl makes it (`libxl__get_hotplug_script_info`): the script, its
/// arguments after the script itself, and the variables added to `xl`'s own environment.
public struct HotplugInvocation: Sendable, Equatable {
    public var script: String
    public var arguments: [String]
    public var environment: [String: String]

    public init(script: String, arguments: [String], environment: [String: String]) {
        self.script = script
        self.arguments = arguments
        self.environment = environment
    }

    /// What a log line or an error shows: `/etc/xen/scripts/vif-bridge online type_if=vif`.
    public var commandLine: String { ([script] + arguments).joined(separator: " ") }
}

/// How a hotplug script ended.
public struct HotplugOutcome: Sendable, Equatable {
    /// The exit status; nil when it was killed (by the timeout or a signal).
    public var status: Int32?
    /// Killed because it ran longer than its limit.
    public var timedOut: Bool
    /// What it wrote on stdout and stderr (the last few KiB).
    public var output: String

    public init(status: Int32?, timedOut: Bool = false, output: String) {
        self.status = status
        self.timedOut = timedOut
        self.output = output
    }

    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs hotplug scripts: a spawned process on a real host, the simulator's model of the scripts in simulation.
public protocol HotplugScriptRunner: AnyObject {
    /// Runs the script to its end or until `timeout` seconds passed (then kills it). Throws only when it could not
    /// be started at all.
    func run(_ invocation: HotplugInvocation, timeout: Double) throws -> HotplugOutcome
}

extension HotplugInvocation {
    /// libxl's run of a device's script for `adding` (or removing): `vif-bridge online|offline type_if=vif`
    /// or `block add|remove`, with `script`, `XENBUS_TYPE`, `XENBUS_PATH` (relative to the back-end domain's
    /// home), `XENBUS_BASE_PATH` and, for a vif, `netdev` and `vif`.
    public static func libxl(_ kind: PVDeviceKind, script: String, domain: DomainID, devid: Int, gatewaydev: String?, adding: Bool) -> HotplugInvocation {
        var environment = [
            "script": script, "XENBUS_TYPE": kind.rawValue, "XENBUS_PATH": "backend/\(kind.rawValue)/\(domain.rawValue)/\(devid)",
            "XENBUS_BASE_PATH": "backend",
        ]
        switch kind {
        case .vif:
            environment["netdev"] = gatewaydev ?? ""
            environment["vif"] = "vif\(domain.rawValue).\(devid)"
            return HotplugInvocation(script: script, arguments: [adding ? "online" : "offline", "type_if=vif"], environment: environment)
        case .vbd:
            return HotplugInvocation(script: script, arguments: [adding ? "add" : "remove"], environment: environment)
        }
    }
}
