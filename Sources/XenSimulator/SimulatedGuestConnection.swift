// SPDX-License-Identifier: Apache-2.0
import FoundationEssentials
import XenControl
import XenStoreClient
import XenTypes

/// What a guest of a simulated host reaches: its xenstore connection and its grant sharer.
///
/// Guests run beside `xl` commands and never take `DIR/lock`: their xenstore requests go through
/// ``SharedXenStore`` (or, when `XENSTORED_PATH` is given, through libxenstore's xenbus device at
/// that path, as inside a real domU) and their grants through ``SimulatedGrantTable``.
public struct SimulatedGuestConnection {
    public let xenstore: any XenStore
    public let sharer: any GrantSharer

    /// Connects as `domain` of the simulated host in `directory`, which must have that domain.
    public init(directory: String, domain: DomainID, xenbusPath: String? = nil) throws {
        let statePath = directory + "/host.json"
        guard let data = FileManager.default.contents(atPath: statePath) else {
            throw SimulatorError("no simulated host in \(directory) (\(statePath) is missing)")
        }
        // host.json is replaced atomically, so reading it without DIR/lock sees one whole state.
        let state: SimulatedHostState
        do { state = try JSONDecoder().decode(SimulatedHostState.self, from: data) } catch {
            throw SimulatorError("\(statePath) is damaged or from another version of xl")
        }
        guard domain != .dom0, state.index(of: domain) != nil else {
            throw SimulatorError("the simulated host in \(directory) has no domU \(domain)")
        }
        if let xenbusPath {
            do { xenstore = try LibXenStoreBackend.guest() } catch {
                throw SimulatorError("cannot open the xenbus device \(xenbusPath) (XENSTORED_PATH): \(error.errno)")
            }
        } else {
            xenstore = try SharedXenStore(directory: directory, caller: domain)
        }
        sharer = try SimulatedGrantTable(hostDirectory: directory).sharer(for: domain)
    }
}
