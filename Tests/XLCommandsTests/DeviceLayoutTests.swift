// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
@testable import Toolstack
import XCTest
@testable import XLCommands
import XLConfig
import XenStoreClient
import XenTypes

/// The pieces of the device code that read what others wrote: libxl's vdev numbering, XenbusState and other
/// guest-written values, the configuration record's device lists, the state wait, and the spawned scripts.
final class DeviceLayoutTests: XCTestCase {
    func testVirtualDiskNumbersAreLibxls() {
        let cases: [(String, Int?)] = [
            ("xvda", 51712), ("xvdb", 51728), ("xvda1", 51713), ("xvdp15", 202 << 8 | 15 << 4 | 15), ("xvdq", 1 << 28 | 16 << 8),
            ("xvdaa", 1 << 28 | 26 << 8), ("xvda16", 1 << 28 | 16), ("d0p0", 51712), ("d3p2", 202 << 8 | 3 << 4 | 2), ("51712", 51712),
            ("0x10", 16), ("hda", 768), ("hdb", 832), ("hdc", 5632), ("sda", 2048), ("sdb1", 2065),
            ("xvda0", nil), ("xvd", nil), ("hde", nil), ("sdq", nil), ("floppy", nil), ("xvda256", nil), ("-1", nil), ("", nil),
        ]
        for (vdev, number) in cases { XCTAssertEqual(VirtualDiskNumber.of(vdev), number, vdev) }
    }

    func testGuestWrittenStatesAreBounded() {
        XCTAssertEqual(XenbusState(node: Array("4".utf8)), .connected)
        XCTAssertEqual(XenbusState(node: Array("006".utf8)), .closed)
        for bad in ["", "9", "-1", " 4", "4 ", "4\n", "0004", "4x", "99999999999999999999"] {
            XCTAssertNil(XenbusState(node: Array(bad.utf8)), bad)
        }
        XCTAssertNil(GuestWrittenValue.unsigned(Array("12345678901".utf8)))
        XCTAssertEqual(GuestWrittenValue.unsigned(Array("4294967295".utf8)), 4_294_967_295)
        XCTAssertNil(GuestWrittenValue.text([0x41, 0x00]))
        XCTAssertEqual(GuestWrittenValue.shown(Array("a\u{1b}b".utf8)), "a?b")
    }

    func testRecordDeviceListsKeepEveryOtherMember() throws {
        let record = "{\"c_info\":{\"name\":\"g\",\"x\":\"a,b}\"},\"b_info\":{\"max_vcpus\":1}}"
        let one = try XCTUnwrap(RecordDeviceList.adding("{\"devid\":0}", to: "nics", in: record))
        XCTAssertEqual(one, "{\"c_info\":{\"name\":\"g\",\"x\":\"a,b}\"},\"b_info\":{\"max_vcpus\":1},\"nics\":[{\"devid\":0}]}")
        let two = try XCTUnwrap(RecordDeviceList.adding("{\"devid\":1}", to: "nics", in: one))
        XCTAssertEqual(two.components(separatedBy: "\"devid\"").count, 3)
        XCTAssertNotNil(JSONValue(parsing: two))
        XCTAssertNil(RecordDeviceList.adding("{}", to: "nics", in: "[1,2]"))
        XCTAssertNil(RecordDeviceList.adding("{}", to: "nics", in: "{\"a\":\"unterminated}"))
    }

    func testWaitEndsAtOnceOnNonsenseAndWhenTheBackEndGoes() throws {
        let store = InMemoryXenStore(database: XenStoreDatabase(), caller: .dom0)
        let nodes = PVDeviceNodes.vif(NetworkInterface().resolved(taken: []), domain: DomainID(1), backendDomain: .dom0)
        try store.transaction { tx in try nodes.write(to: store, in: tx) }
        let start = Date()
        try store.write(nodes.backendPath + "/state", string: "2")
        try store.write(nodes.frontendPath + "/state", string: "\u{7f}junk")
        XCTAssertEqual(DeviceStateWait(xenstore: store, nodes: nodes).wait(for: .connected, timeout: 5, checkingFrontend: true)?.explained(waitingFor: .connected, timeout: 5),
                       "\(nodes.frontendPath)/state holds \"?junk\", which is not a XenbusState")
        try store.remove(nodes.backendPath, in: nil)
        XCTAssertEqual(DeviceStateWait(xenstore: store, nodes: nodes).wait(for: .connected, timeout: 5)?.explained(waitingFor: .connected, timeout: 5),
                       "\(nodes.backendPath)/state disappeared: the back end went away")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "neither waited for its timeout")
    }
}

/// The real runner of hotplug scripts: libxl's arguments and environment reach the script, a failing script's
/// output comes back, and one that runs too long is killed.
final class SpawnedHotplugScriptTests: XCTestCase {
    private func script(_ body: String) throws -> String {
        let directory = try DeviceTreeTools.scratch()
        let path = directory.appendingPathComponent("vif-test").path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func testArgumentsEnvironmentOutputAndTimeout() throws {
        let path = try script("echo \"$1 $2 $XENBUS_PATH $vif $KEPT\"; echo oops >&2; exit 3\n")
        let runner = SpawnedHotplugScripts(environment: ["KEPT": "yes", "PATH": "/usr/bin:/bin"])
        let invocation = HotplugInvocation.libxl(.vif, script: path, domain: DomainID(3), devid: 1, gatewaydev: nil, adding: true)
        let outcome = try runner.run(invocation, timeout: 10)
        XCTAssertEqual(outcome.status, 3)
        XCTAssertEqual(outcome.output, "online type_if=vif backend/vif/3/1 vif3.1 yes\noops\n")
        let slow = try script("exec sleep 30\n")
        let start = Date()
        let killed = try runner.run(HotplugInvocation(script: slow, arguments: [], environment: [:]), timeout: 0.3)
        XCTAssertTrue(killed.timedOut)
        XCTAssertNil(killed.status)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertThrowsError(try runner.run(HotplugInvocation(script: "/nonexistent/vif-bridge", arguments: [], environment: [:]), timeout: 1))
    }
}
