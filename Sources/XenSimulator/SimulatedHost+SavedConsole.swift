// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XenTypes

extension SimulatedHost {
    /// What the simulated guest of `domain` wrote so far to its vpl011 (`vuart`) or PV console, read from the state
    /// the last command saved in `directory`, without `DIR/lock` (host.json is replaced atomically, so this sees
    /// one whole state, as a guest's connection does); nil when the host has no such domain any more.
    public static func savedConsole(directory: String, domain: DomainID, vuart: Bool) throws -> String? {
        let statePath = directory + "/host.json"
        guard let data = FileManager.default.contents(atPath: statePath) else {
            throw SimulatorError("no simulated host in \(directory) (\(statePath) is missing)")
        }
        let state: SimulatedHostState
        do { state = try JSONDecoder().decode(SimulatedHostState.self, from: data) } catch {
            throw SimulatorError("\(statePath) is damaged or from another version of xl")
        }
        guard let found = state.domains.first(where: { $0.id == domain }) else { return nil }
        return found.guest?.output(vuart: vuart) ?? ""
    }
}
