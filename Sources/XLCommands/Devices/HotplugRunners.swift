// SPDX-License-Identifier: Apache-2.0
import Toolstack
import XenSimulator
import XenSys

/// Runs hotplug scripts as libxl does (`libxl__exec`): the script itself, with `xl`'s environment plus the
/// invocation's variables, killed after its time limit.
final class SpawnedHotplugScripts: HotplugScriptRunner {
    let environment: [String: String]

    init(environment: [String: String]) { self.environment = environment }

    func run(_ invocation: HotplugInvocation, timeout: Double) throws -> HotplugOutcome {
        let merged = environment.merging(invocation.environment) { _, new in new }
        let result: ScriptProcess.Result
        do { result = try ScriptProcess.run(invocation.script, arguments: invocation.arguments, environment: merged, timeout: timeout) } catch {
            throw ToolstackError("cannot start \(invocation.script): \(error)")
        }
        return HotplugOutcome(status: result.status, timedOut: result.timedOut, output: result.output)
    }
}

/// The simulated host's models of the scripts (``SimulatedHost/runHotplugScript(_:arguments:environment:)``).
public final class SimulatedHotplugScripts: HotplugScriptRunner {
    let host: SimulatedHost

    public init(host: SimulatedHost) { self.host = host }

    public func run(_ invocation: HotplugInvocation, timeout: Double) throws -> HotplugOutcome {
        let result = host.runHotplugScript(invocation.script, arguments: invocation.arguments, environment: invocation.environment)
        return HotplugOutcome(status: result.status, output: result.output)
    }
}
