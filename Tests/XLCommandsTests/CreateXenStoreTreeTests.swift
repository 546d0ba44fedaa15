// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// The xenstore tree `xl create` leaves for a guest, node by node with permissions, against the tree
/// Debian's `xl create` (libxl 4.20) wrote for the same guest on real Xen in the system test.
final class CreateXenStoreTreeTests: XCTestCase {
    /// What libxl 4.20 wrote for `name = "st-guest"`, `type = "pvh"`, 256 MiB, one vCPU, as dumped by
    /// `xenstore-ls -fp` on the system test's Xen (Scripts/system-test.sh, boot "ours", Debian's create), with
    /// the guest's domid as D. Three values are libxl's own, not what the dump showed after the guest ran: the
    /// guest writes `1` to `control/feature-poweroff`, `-reboot`, `-suspend`, and xenconsoled fills `console/tty`.
    /// Left out as deliberate differences (Docs/xl.cfg.md, Docs/system-test.md): `/libxl/D/libxl-json`,
    /// kept in xenstore rather than in /var/lib/xen; event-channel ports, ring frames and the start time, which
    /// differ from run to run.
    private static let libxlTree = """
        /libxl/D = "" n0
        /libxl/D/device = "" n0
        /libxl/D/device/console = "" n0
        /libxl/D/device/console/0 = "" n0
        /libxl/D/device/console/0/backend = "/local/domain/0/backend/console/D/0" n0
        /libxl/D/device/console/0/frontend = "/local/domain/D/console" n0
        /libxl/D/device/console/0/frontend-id = "D" n0
        /libxl/D/device/console/0/online = "1" n0
        /libxl/D/device/console/0/protocol = "vt100" n0
        /libxl/D/device/console/0/state = "1" n0
        /libxl/D/dm-version = "qemu_xen" n0
        /libxl/D/type = "pvh" n0
        /local/domain/0/backend/console/D = "" n0
        /local/domain/0/backend/console/D/0 = "" n0,rD
        /local/domain/0/backend/console/D/0/frontend = "/local/domain/D/console" n0,rD
        /local/domain/0/backend/console/D/0/frontend-id = "D" n0,rD
        /local/domain/0/backend/console/D/0/online = "1" n0,rD
        /local/domain/0/backend/console/D/0/protocol = "vt100" n0,rD
        /local/domain/0/backend/console/D/0/state = "1" n0,rD
        /local/domain/D = "" n0,rD
        /local/domain/D/attr = "" nD
        /local/domain/D/console = "" n0,rD
        /local/domain/D/console/backend = "/local/domain/0/backend/console/D/0" n0,rD
        /local/domain/D/console/backend-id = "0" nD,r0
        /local/domain/D/console/limit = "1048576" n0,rD
        /local/domain/D/console/output = "pty" n0,rD
        /local/domain/D/console/port = PORT n0,rD
        /local/domain/D/console/ring-ref = PFN n0,rD
        /local/domain/D/console/tty = "" n0,rD
        /local/domain/D/console/type = "xenconsoled" n0,rD
        /local/domain/D/control = "" n0,rD
        /local/domain/D/control/feature-poweroff = "" nD
        /local/domain/D/control/feature-reboot = "" nD
        /local/domain/D/control/feature-suspend = "" nD
        /local/domain/D/control/platform-feature-multiprocessor-suspend = "1" n0,rD
        /local/domain/D/control/platform-feature-xs_reset_watches = "1" n0,rD
        /local/domain/D/control/shutdown = "" nD
        /local/domain/D/control/sysrq = "" nD
        /local/domain/D/cpu = "" n0,rD
        /local/domain/D/cpu/0 = "" n0,rD
        /local/domain/D/cpu/0/availability = "online" n0,rD
        /local/domain/D/data = "" nD
        /local/domain/D/device = "" n0,rD
        /local/domain/D/device/suspend = "" n0,rD
        /local/domain/D/device/suspend/event-channel = "" nD
        /local/domain/D/domid = "D" n0,rD
        /local/domain/D/drivers = "" nD
        /local/domain/D/error = "" nD
        /local/domain/D/feature = "" nD
        /local/domain/D/memory = "" n0,rD
        /local/domain/D/memory/static-max = "262144" n0,rD
        /local/domain/D/memory/target = "262144" n0,rD
        /local/domain/D/memory/videoram = "0" n0,rD
        /local/domain/D/name = "st-guest" n0,rD
        /local/domain/D/store = "" n0,rD
        /local/domain/D/store/port = PORT n0,rD
        /local/domain/D/store/ring-ref = PFN n0,rD
        /local/domain/D/vm = "/vm/UUID" n0,rD
        /vm/UUID = "" n0,rD
        /vm/UUID/name = "st-guest" n0,rD
        /vm/UUID/start_time = TIME n0,rD
        /vm/UUID/uuid = "UUID" n0,rD
        """

    func testTheGuestTreeIsTheOneLibxlWrites() throws {
        let xl = try XLRunner()
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        XCTAssertEqual(xl("--host-dtb", hostDTB, "list").status, 0)
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let config = try xl.file("st-guest.cfg", Array("""
            name = "st-guest"
            type = "pvh"
            kernel = "\(kernel)"
            extra = "console=hvc0 quiet st.name=st-guest"
            memory = 256
            vcpus = 1
            """.utf8))
        let result = xl("create", "-p", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try xl.withHost { host -> [String] in
            let store = host.xenstore
            let domain = try XCTUnwrap(host.hypervisor.state.domains.last).id
            let vm = try XCTUnwrap(try store.readString("/local/domain/\(domain)/vm"))
            let uuid = String(vm.dropFirst("/vm/".count))
            var lines: [String] = []
            for root in ["/libxl/\(domain)", "/local/domain/0/backend/console/\(domain)", "/local/domain/\(domain)", vm] {
                lines += try XenStoreDump.lines(store, root)
            }
            return lines.filter { !$0.hasPrefix("/libxl/\(domain)/libxl-json ") }.map { Self.normalise($0, domain: domain, uuid: uuid) }
        }
        XCTAssertEqual(lines.sorted(), Self.libxlTree.split(separator: "\n").map(String.init).sorted())
    }

    /// The domid as D, the uuid as UUID, and the values that change from run to run as symbols.
    private static func normalise(_ line: String, domain: DomainID, uuid: String) -> String {
        var text = line.replacingOccurrences(of: uuid, with: "UUID")
        for (from, to) in [("/\(domain)/", "/D/"), ("/\(domain) ", "/D "), ("/domid = \"\(domain)\"", "/domid = \"D\""),
                           ("/frontend-id = \"\(domain)\"", "/frontend-id = \"D\""), (" n\(domain)", " nD"), (",r\(domain)", ",rD")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        for (key, symbol) in [("/port = ", "PORT"), ("/ring-ref = ", "PFN"), ("/start_time = ", "TIME")] {
            guard let value = text.range(of: key), let perms = text.range(of: " ", options: .backwards), perms.lowerBound > value.upperBound else { continue }
            text = text[..<value.upperBound] + symbol + text[perms.lowerBound...]
        }
        return text
    }
}
