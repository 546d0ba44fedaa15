// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient

/// `network-attach`, `network-detach` and `network-list` on a simulated host: the xenstore tree libxl writes
/// for the same interface, the XenbusState handshake with the guest's netfront, the `vif-bridge` script's
/// interface, the configuration record, and every injected fault leaving the host as it was.
final class NetworkDeviceCommandTests: XCTestCase {
    /// A host with the running guest `g` (domain 1), its PV drivers up.
    static func host() throws -> XLRunner {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let created = xl("create", try xl.file("g.cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8)))
        XCTAssertEqual(created.status, 0, created.stderr)
        return xl
    }

    /// The device's three directories as libxl writes them (`libxl__device_nic_setdefault`,
    /// `libxl__set_xenstore_nic`, `libxl__device_generic_add`) for `xl network-attach 1` with no spec: devid 0,
    /// bridge xenbr0, script vif-bridge, mtu 1500, trusted; then what the script and the drivers add.
    static func expectedTree(mac: String, domain: Int = 1) -> [String] {
        let fe = "/local/domain/\(domain)/device/vif/0", be = "/local/domain/0/backend/vif/\(domain)/0", lx = "/libxl/\(domain)/device/vif/0"
        let guest = "n\(domain),r0", backend = "n0,r\(domain)"
        var lines = [
            "\(fe) = \"\" \(guest)", "\(fe)/backend = \"\(be)\" \(guest)", "\(fe)/backend-id = \"0\" \(guest)", "\(fe)/handle = \"0\" \(guest)",
            "\(fe)/mac = \"\(mac)\" \(guest)", "\(fe)/mtu = \"1500\" \(backend)", "\(fe)/state = \"4\" \(guest)", "\(fe)/trusted = \"1\" \(guest)",
            // netfront's own entries (simulated ring references and event channel).
            "\(fe)/event-channel-rx = \"\(11 + domain)\" \(guest)", "\(fe)/event-channel-tx = \"\(10 + domain)\" \(guest)", "\(fe)/feature-rx-notify = \"1\" \(guest)", "\(fe)/feature-sg = \"1\" \(guest)",
            "\(fe)/request-rx-copy = \"1\" \(guest)", "\(fe)/rx-ring-ref = \"\(9 + domain)\" \(guest)", "\(fe)/tx-ring-ref = \"\(8 + domain)\" \(guest)",
        ]
        let backendEntries = [
            ("frontend-id", "\(domain)"), ("online", "1"), ("state", "1"), ("script", "/etc/xen/scripts/vif-bridge"), ("mac", mac),
            ("bridge", "xenbr0"), ("handle", "0"), ("type", "vif"), ("hotplug-status", ""),
        ]
        lines.append("\(be) = \"\" \(backend)")
        lines.append("\(be)/frontend = \"\(fe)\" \(backend)")
        for (key, value) in backendEntries {
            // netback moved the state to Connected, the script reported connected.
            let now = key == "state" ? "4" : key == "hotplug-status" ? "connected" : value
            lines.append("\(be)/\(key) = \"\(now)\" \(backend)")
        }
        lines += ["\(lx) = \"\" n0", "\(lx)/frontend = \"\(fe)\" n0", "\(lx)/backend = \"\(be)\" n0"]
        for (key, value) in backendEntries { lines.append("\(lx)/\(key) = \"\(value)\" n0") }
        return lines.sorted()
    }

    static func deviceTree(_ xl: XLRunner, domain: Int = 1) throws -> [String] {
        try xl.withHost { host in
            try ["/local/domain/\(domain)/device/vif", "/local/domain/0/backend/vif", "/libxl/\(domain)/device/vif"].flatMap {
                try XenStoreDump.lines(host.xenstore, $0).filter { !$0.hasPrefix("/local/domain/\(domain)/device/vif = ") && !$0.hasPrefix("/local/domain/0/backend/vif = ") && !$0.hasPrefix("/local/domain/0/backend/vif/\(domain) = ") && !$0.hasPrefix("/libxl/\(domain)/device/vif = ") }
            }.sorted()
        }
    }

    static func mac(_ xl: XLRunner, domain: Int = 1) throws -> String {
        try XCTUnwrap(try xl.withHost { try $0.xenstore.readString("/libxl/\(domain)/device/vif/0/mac") })
    }

    func testAttachWritesLibxlsTreeAndConnects() throws {
        let xl = try Self.host()
        let attached = xl("network-attach", "g")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        XCTAssertEqual(attached.stdout + attached.stderr, "")
        let mac = try Self.mac(xl)
        XCTAssertTrue(mac.hasPrefix("00:16:3e:"), mac)
        let octet = try XCTUnwrap(UInt8(mac.split(separator: ":")[3], radix: 16))
        XCTAssertLessThan(octet, 0x80, "libxl clears the top bit of the fourth octet")
        XCTAssertEqual(try Self.deviceTree(xl), Self.expectedTree(mac: mac))
        let interfaces = try xl.withHost { $0.hypervisor.state.deviceState.interfaces }
        XCTAssertEqual(interfaces, [SimulatedInterface(name: "vif1.0", bridge: "xenbr0", backend: "/local/domain/0/backend/vif/1/0")])
        // The record keeps the interface with the devid, MAC and type libxl filled in.
        let record = try XCTUnwrap(try xl.withHost { try $0.xenstore.readString("/libxl/1/libxl-json") })
        XCTAssertTrue(record.contains("\"nics\":[{\"devid\":0,\"mac\":\"\(mac)\",\"nictype\":\"vif\"}]"), record)
    }

    func testListPrintsUpstreamsTable() throws {
        let xl = try Self.host()
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        XCTAssertEqual(xl("network-attach", "1").status, 0)
        let lines = xl("network-list", "g").stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], upstream("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s", ["Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path"]))
        let mac1 = try XCTUnwrap(try xl.withHost { try $0.xenstore.readString("/libxl/1/device/vif/1/mac") })
        XCTAssertEqual(lines[2], "1   0  \(mac1)     1     4     -1     9/10          /local/domain/0/backend/vif/1/1")
        XCTAssertEqual(lines[3], "")
    }

    func testDetachLeavesTheHostAsBefore() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        let mac = try Self.mac(xl)
        let detached = xl("network-detach", "g", mac.uppercased())
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        XCTAssertEqual(xl("network-detach", "g", "0").status, 0)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
        let unknown = xl("network-detach", "g", "7")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "network-detach g: unknown device 7\n")
    }

    func testEachFaultLeavesTheHostAsBefore() throws {
        let cases: [(SimulatedDeviceFault, String)] = [
            (.scriptFails, "network-attach g: vif 0: hotplug script /etc/xen/scripts/vif-bridge online type_if=vif exited with status 1 (hotplug-error: injected failure (script-fails); output: vif-bridge: injected failure (script-fails))"),
            (.frontendSilent, "network-attach g: vif 0: the back end did not reach state 4 within 0.2 s (it stayed at 2); the guest's front end did not connect"),
            (.backendLeaves, "network-attach g: vif 0: /local/domain/0/backend/vif/1/0/state went to Closing/Closed: the back end gave up on the device; the guest's front end did not connect"),
        ]
        for (fault, message) in cases {
            let xl = try Self.host()
            xl.environment["XL_SIMULATE_DEVICE_TIMEOUT"] = "0.2"
            let xenstore = xl.snapshot()["xenstore.json"]
            try xl.withHost { $0.hypervisor.state.deviceState.faults = [fault] }
            let result = xl("network-attach", "g")
            XCTAssertEqual(result.status, 1, "\(fault)")
            XCTAssertEqual(result.stderr, message + "\n", "\(fault)")
            XCTAssertEqual(xl.snapshot()["xenstore.json"], xenstore, "\(fault) left xenstore nodes")
            let state = try xl.withHost { $0.hypervisor.state.deviceState }
            XCTAssertEqual(state.interfaces, [], "\(fault) left an interface")
        }
    }

    func testMissingBridgeNamesTheScript() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        try xl.withHost { $0.hypervisor.state.deviceState.bridges = [] }
        let result = xl("network-attach", "g")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("hotplug script /etc/xen/scripts/vif-bridge online type_if=vif exited with status 1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Could not find bridge device xenbr0"), result.stderr)
        XCTAssertEqual(Array(try DeviceFixtures.state(xl).dropLast()), Array(before.dropLast()), "the xenstore tree is as it was")
    }

    func testDetachOfAGuestThatNeverClosesGoesOnByForce() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        xl.environment["XL_SIMULATE_DEVICE_TIMEOUT"] = "0.2"
        try xl.withHost { $0.hypervisor.state.deviceState.faults = [.frontendSilent] }
        let result = xl("network-detach", "g", "0")
        XCTAssertEqual(result.status, 0, result.stderr)
        try xl.withHost { $0.hypervisor.state.deviceState.faults = [] }
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testADom0lessDomainWithoutXenstoreIsRefusedBeforeAnythingIsWritten() throws {
        let xl = try DeviceFixtures.dom0lessHost(enhanced: false)
        let before = try DeviceFixtures.state(xl)
        let expected = "domain 1 has no xenstore home (/local/domain/1), so its PV drivers cannot connect: "
            + "a dom0less domain needs xen,enhanced in its /chosen node and a run of init-dom0less first"
        let network = xl("network-attach", "1", "type=vif")
        XCTAssertEqual(network.status, 1)
        XCTAssertEqual(network.stderr, "network-attach 1: " + expected + "\n")
        let disk = try DeviceFixtures.disk(xl)
        let block = xl("block-attach", "1", "\(disk.target ?? ""),raw,xvdb,r")
        XCTAssertEqual(block.status, 1)
        XCTAssertEqual(block.stderr, "block-attach 1: " + expected + "\n")
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testGuestNonsenseInItsFrontendIsShownAsMissingAndDoesNotStopDetach() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        try xl.withHost { host in
            let guest = try XCTUnwrap(host.sharedXenStore).connection(as: 1)
            try guest.write("/local/domain/1/device/vif/0/state", string: "4; rm -rf /")
            try guest.write("/local/domain/1/device/vif/0/event-channel", string: "99999999999999999999")
            try guest.write("/local/domain/1/device/vif/0/tx-ring-ref", Array(repeating: 0x39, count: 1000), in: nil)
        }
        let list = xl("network-list", "g")
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("    0    -1     -1    -1/10          /local/domain/0/backend/vif/1/0"), list.stdout)
        let detached = xl("network-detach", "g", "0")
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testAGuestPointingItsFrontEndElsewhereChangesNothingOutsideIt() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        try xl.withHost { host in
            let guest = try XCTUnwrap(host.sharedXenStore).connection(as: 1)
            try guest.write("/local/domain/1/device/vif/0/backend", string: "/local/domain/0")
            try guest.write("/local/domain/1/device/vif/0/backend-id", string: "0/../../..")
            for index in 0..<50 { try guest.write("/local/domain/1/device/vif/0/junk/\(index)", string: "x") }
        }
        XCTAssertEqual(xl("network-list", "g").status, 0)
        let detached = xl("network-detach", "g", "0")
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testDetachAfterTheBackEndWentAwayCleansTheRest() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.xenstore(xl)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        try xl.withHost { try $0.xenstore.remove("/local/domain/0/backend/vif/1/0", in: nil) }
        let detached = xl("network-detach", "g", "0")
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(try DeviceFixtures.xenstore(xl), before)
    }

    func testRefusals() throws {
        let xl = try Self.host()
        let before = try DeviceFixtures.state(xl)
        for (arguments, message) in [
            (["network-attach", "0"], "network-attach 0: domain 0 takes no PV devices from xl"),
            (["network-attach", "nosuch"], "network-attach nosuch: nosuch is not the name or id of any domain"),
            (["network-list", "nosuch"], "network-list nosuch: nosuch is not the name or id of any domain"),
        ] {
            let result = xl.run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertEqual(result.stderr, message + "\n")
        }
        XCTAssertEqual(xl("network-detach", "g").status, 2)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
        XCTAssertEqual(xl("-N", "network-attach", "g").status, 0)
        XCTAssertEqual(try DeviceFixtures.state(xl), before)
    }

    func testDestroyRemovesTheDevices() throws {
        let xl = try XLRunner()
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let other = xl("create", try xl.file("h.cfg", Array("name = \"h\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8)))
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertEqual(xl("create", try xl.file("g.cfg", Array("name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 64\n".utf8))).status, 0)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        XCTAssertEqual(xl("network-attach", "g").status, 0)
        let destroyed = xl("destroy", "g")
        XCTAssertEqual(destroyed.status, 0, destroyed.stderr)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.devices }, nil)
        XCTAssertEqual(try xl.withHost { try $0.xenstore.children("/local/domain/0/backend") }, ["console"], "h's console stays, g's vifs go")
        XCTAssertEqual(try xl.withHost { try $0.xenstore.exists("/libxl/2") }, false)
    }

    private func upstream(_ format: String, _ values: [String]) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let copies = values.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        _ = withVaList(copies.map { $0! as CVarArg }) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(cString: buffer)
    }
}
