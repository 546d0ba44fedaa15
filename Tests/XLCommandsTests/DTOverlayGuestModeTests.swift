// SPDX-License-Identifier: Apache-2.0
import TestSupport
import XCTest
import XenSimulator
import XenTypes

/// Expert mode (`add/remove FILE DOMAIN`) and normal mode (`... NODE_NAME TYPE PARTIAL`).
final class DTOverlayGuestModeTests: XCTestCase {
    private func domU(_ xl: XLRunner, directMapped: Bool = true, name: String = "guest") throws -> DomainID {
        try xl.withHost { host in
            let id = host.hypervisor.addDomain(memoryKiB: 262_144, vcpus: 1, directMapped: directMapped, iommu: true)
            try host.xenstore.write("/local/domain/\(id)/name", string: name)
            return id
        }
    }

    /// Runs a command that must fail with status `status`, a message starting with `message`, and no change.
    private func refuses(_ xl: XLRunner, _ arguments: [String], _ message: String, status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) {
        let before = xl.snapshot()
        let result = xl.run(arguments)
        XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix(message), result.stderr, file: file, line: line)
        if status == 1 { XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr, file: file, line: line) }
        XCTAssertEqual(xl.snapshot(), before, "\(arguments)", file: file, line: line)
    }

    func testExpertAddAttachesAndExpertRemoveTakesItBack() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        var result = xl("dt-overlay", "add", path, "Domain-0")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.domains[0].routedIRQs }, [72, 73])
        XCTAssertTrue(xl("dt-overlay", "list").stdout.contains("       0  /soc/ethernet@9100000"))
        result = xl("dt-overlay", "remove", path, "0")
        XCTAssertEqual(result.status, 0, result.stderr)
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.overlays, [])
        XCTAssertEqual(state.hostTree, state.bootTree)
        XCTAssertEqual(xl("dt-overlay", "list").stdout, "")
    }

    func testExpertAddDryRunPrintsBothHypercallsAndChangesNothing() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        XCTAssertEqual(xl("dt-overlay", "list").status, 0)
        let before = xl.snapshot()
        let result = xl("-N", "dt-overlay", "add", path, "0")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("op=add size="), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("would then call XEN_DOMCTL_dt_overlay (cmd 87) domain=0 op=attach size=\(try Data(contentsOf: URL(fileURLWithPath: path)).count)\n"), result.stdout)
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testExpertAddUndoesTheAddWhenTheAttachFails() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_DOMCTL_dt_overlay"] = .EACCES }
        let result = xl("dt-overlay", "add", path, "0")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("dt-overlay attach \(path): Xen refused XEN_DOMCTL_dt_overlay with EACCES"), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" (the add was undone)\n"), result.stderr)
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.overlays, [])
        XCTAssertEqual(state.hostTree, state.bootTree)
        XCTAssertEqual(state.domains[0].routedIRQs, [])
        XCTAssertEqual(xl("dt-overlay", "list").stdout, "")
        // Nothing is left behind: the same add now succeeds.
        XCTAssertEqual(xl("dt-overlay", "add", path, "0").status, 0)
    }

    func testExpertAddChecksTheDomainBeforeAnyChange() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try domU(xl, directMapped: false)
        refuses(xl, ["dt-overlay", "add", path, "7"], "dt-overlay add \(path) 7: domain 7 does not exist\n")
        refuses(xl, ["dt-overlay", "add", path, "guest"], "dt-overlay add \(path) guest: domain \(guest) is not direct-mapped; Xen gives overlay devices only 1:1")
        let old = try XLRunner()
        _ = old.run(["--xen-version", "4.18", "dt-overlay", "list"])
        refuses(old, ["dt-overlay", "add", path, "0"], "dt-overlay add \(path) 0: Xen 4.18 has no attach (it arrived in 4.19)")
    }

    func testExpertAddChecksTheIRQsBeforeTheAdd() throws {
        let xl = try XLRunner()
        let first = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let second = try xl.dtbo("uart.dtbo", OverlaySources.device("serial@9200000", address: 0x920_0000, spis: [41, 42]))
        XCTAssertEqual(xl("dt-overlay", "add", first, "0").status, 0)
        refuses(xl, ["dt-overlay", "add", second, "0"], "dt-overlay add \(second): IRQ 73 is already given to domain 0 by overlay \(first)\n")
        XCTAssertEqual(try xl.withHost { $0.hypervisor.state.overlays.count }, 1)
    }

    func testExpertRemoveChecksTheDomain() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        let guest = try domU(xl)
        refuses(xl, ["dt-overlay", "remove", path, "0"], "dt-overlay remove \(path) 0: this overlay was never added")
        XCTAssertEqual(xl("dt-overlay", "add", path).status, 0)
        refuses(xl, ["dt-overlay", "remove", path, "0"], "dt-overlay remove \(path) 0: the overlay is added but attached to no domain; remove it with `xl dt-overlay remove \(path)`\n")
        XCTAssertEqual(xl("dt-overlay", "attach", path, "guest").status, 0)
        refuses(xl, ["dt-overlay", "remove", path, "0"], "dt-overlay remove \(path) 0: the overlay is attached to domain \(guest), not to domain 0\n")
        refuses(xl, ["dt-overlay", "remove", path, "9"], "dt-overlay remove \(path) 9: domain 9 does not exist\n")
        refuses(xl, ["dt-overlay", "remove", path, "guest"], "dt-overlay remove \(path): its devices are attached to domain \(guest); Xen cannot take them back from a running domU")
    }

    func testNormalModeArgumentsAreUsageErrors() throws {
        let xl = try XLRunner()
        let path = try xl.dtbo("eth.dtbo", OverlaySources.device())
        _ = try domU(xl)
        let cases: [([String], String)] = [
            (["guest", "eth"], "normal mode needs all of NODE_NAME, TYPE and PARTIAL after DOMAIN"),
            (["guest", "eth", "normal"], "normal mode needs all of NODE_NAME, TYPE and PARTIAL after DOMAIN"),
            (["guest", "eth", "bitstream", "0"], "TYPE \"bitstream\": give normal or fpga"),
            (["guest", "eth", "fpga", "2"], "PARTIAL \"2\": give 0 (full) or 1 (partial)"),
            // A leading dash reads as an option, so PARTIAL is missing.
            (["guest", "eth", "fpga", "-1"], "normal mode needs all of NODE_NAME, TYPE and PARTIAL after DOMAIN"),
            (["guest", "eth", "fpga", "01"], "PARTIAL \"01\": give 0 (full) or 1 (partial)"),
            (["guest", "eth", "normal", "1"], "PARTIAL 1 applies only to TYPE fpga"),
            (["guest", "a/b", "normal", "0"], "NODE_NAME \"a/b\": give 1 to 63 letters"),
            (["guest", "..", "normal", "0"], "NODE_NAME \"..\": give 1 to 63 letters"),
            (["guest", String(repeating: "n", count: 64), "normal", "0"], "NODE_NAME \"\(String(repeating: "n", count: 64))\": give 1 to 63"),
        ]
        for step in ["add", "remove"] {
            for (arguments, message) in cases {
                refuses(xl, ["dt-overlay", step, path] + arguments, message, status: 2)
            }
            refuses(xl, ["dt-overlay", step, path, "guest", "eth", "normal", "0", "extra"], "Unexpected argument 'extra'", status: 2)
        }
    }
}
