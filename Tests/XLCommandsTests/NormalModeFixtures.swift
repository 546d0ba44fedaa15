// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// A simulated host with a direct-mapped domU whose xenstore home lets it write `data`, as
/// `xl create` and `init-dom0less` leave it, and the guest side of normal mode.
enum NormalModeFixtures {
    /// Adds the domU (named `guest`); returns its id.
    static func domU(_ xl: XLRunner, name: String = "guest") throws -> DomainID {
        try xl.withHost { host in
            let id = host.hypervisor.addDomain(memoryKiB: 262_144, vcpus: 1, directMapped: true, iommu: true)
            let home = "/local/domain/\(id)"
            try host.xenstore.mkdir(home, in: nil)
            try host.xenstore.setPermissions(home, [XenStorePermission(.none, .dom0), XenStorePermission(.read, id)], in: nil)
            try host.xenstore.write(home + "/name", string: name)
            try host.xenstore.write(home + "/domid", string: String(id.rawValue))
            try host.xenstore.write(home + "/data", string: "")
            try host.xenstore.setPermissions(home + "/data", [XenStorePermission(.none, id)], in: nil)
            return id
        }
    }

    /// `get_overlay.sh --once` playing `domain` of the simulated host, in a child process.
    static func guestScript(_ xl: XLRunner, _ domain: DomainID, script: GuestScript, extra: [String] = []) throws -> GuestScript.Run {
        try XCTSkipIf(GuestScript.binary == nil, "get_overlay is not built next to the tests")
        var environment = script.environment()
        environment["XENSTORED_PATH"] = nil
        return try script.start(["--once", "--simulate", xl.directory, "--domain", String(domain.rawValue), "--timeout", "20", "--wait", "30"] + extra, environment: environment)
    }

    /// What the hand-off leaves in xenstore: nothing under the domU's `data`, no lock.
    static func assertNoHandoffLeft(_ xl: XLRunner, _ domain: DomainID, _ context: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let (data, locks) = try xl.withHost { host in
            (try host.xenstore.children("/local/domain/\(domain)/data"), try host.xenstore.children("/libxl/dt-overlay-handoff"))
        }
        XCTAssertEqual(data, [], "data/overlay removed: \(context)", file: file, line: line)
        XCTAssertEqual(locks, [], "hand-off lock released: \(context)", file: file, line: line)
        XCTAssertTrue(try SimulatedGrantTable(hostDirectory: xl.directory).grants().isEmpty, "no grant left: \(context)", file: file, line: line)
    }
}
