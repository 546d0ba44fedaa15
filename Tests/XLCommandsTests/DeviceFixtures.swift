// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import TestSupport
import Toolstack
import XCTest
import XLCommands
import XLConfig
import XenSimulator

/// Hosts for the PV device tests: a dom0less guest `init-dom0less` initialised, and a toolstack on an open
/// simulated host for what the commands cannot express before the spec parsers land (disks, create's devices).
enum DeviceFixtures {
    /// A host booted with one dom0less domain `d1` (domain 1), enhanced (initialised by `init-dom0less`) or plain.
    static func dom0lessHost(enhanced: Bool = true) throws -> XLRunner {
        let xl = try XLRunner()
        var tree = try DefaultHostTree.make()
        let path = "/chosen/d1"
        try tree.addNode(path)
        try tree.setProperty("compatible", .deviceTreeStrings(["xen,domain"]), at: path)
        try tree.setProperty("memory", .deviceTreeCells([0, 0x20000]), at: path)
        try tree.setProperty("cpus", .deviceTreeCells([1]), at: path)
        if enhanced { try tree.setProperty("xen,enhanced", .deviceTreeStrings(["enabled"]), at: path) }
        let dtb = try xl.file("dom0less.dtb", tree.bytes)
        var err = ""
        let status = InitDom0lessMain.run(["--host-dtb", dtb], environment: xl.environment, output: Output(stdout: { _ in }, stderr: { err += $0 }))
        XCTAssertEqual(status, 0, err)
        return xl
    }

    /// Runs `body` with a toolstack on the runner's host, its scripts the simulated host's.
    static func withToolstack<T>(_ xl: XLRunner, timeout: Double? = nil, _ body: (Toolstack, SimulatedHost) throws -> T) throws -> T {
        try xl.withHost { host in
            let toolstack = Toolstack(hypervisor: host.hypervisor, xenstore: host.xenstore, bootTree: try host.bootTree(), output: { _ in })
            toolstack.hotplugScripts = SimulatedHotplugScripts(host: host)
            if let timeout { toolstack.deviceTimeouts = DeviceTimeouts(all: timeout) }
            return try body(toolstack, host)
        }
    }

    /// A disk on an image file in the runner's scratch directory.
    static func disk(_ xl: XLRunner, vdev: String = "xvdb", name: String = "disk.img") throws -> Disk {
        var disk = Disk(vdev: vdev)
        disk.target = try xl.file(name, Array(repeating: 0, count: 4096))
        return disk
    }

    /// The whole xenstore tree, one `path = "value" perms` line per node; `/libxl/<domid>/device`, which libxl's
    /// clean-up removes with a domain's last device although create made it, is left out.
    static func xenstore(_ xl: XLRunner) throws -> [String] {
        try xl.withHost { try XenStoreDump.lines($0.xenstore, "/") }.filter { !$0.hasPrefix("/libxl/1/device = ") }
    }

    /// The xenstore tree (``xenstore(_:)``) and the hypervisor's state (`host.json`), to show a host is as it was.
    static func state(_ xl: XLRunner) throws -> [String] {
        try xenstore(xl) + [String(decoding: xl.snapshot()["host.json"] ?? Data(), as: UTF8.self)]
    }

    /// The message of a thrown toolstack error.
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as ToolstackError { return error.message } catch { return "\(error)" }
        return nil
    }
}
