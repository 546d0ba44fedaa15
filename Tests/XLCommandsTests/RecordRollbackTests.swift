// SPDX-License-Identifier: Apache-2.0
import TestSupport
import Toolstack
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

/// A xenstore whose commits fail once `allowedCommits` are used up: every other request goes to a
/// real in-memory store.
private final class CommitRefusingStore: XenStore {
    let inner: InMemoryXenStore
    var allowedCommits: Int
    init(_ inner: InMemoryXenStore, allowedCommits: Int = 0) {
        self.inner = inner
        self.allowedCommits = allowedCommits
    }

    func read(_ path: String, in t: XenStoreTransaction?) throws(XenStoreError) -> [UInt8] { try inner.read(path, in: t) }
    func write(_ path: String, _ value: [UInt8], in t: XenStoreTransaction?) throws(XenStoreError) { try inner.write(path, value, in: t) }
    func mkdir(_ path: String, in t: XenStoreTransaction?) throws(XenStoreError) { try inner.mkdir(path, in: t) }
    func directory(_ path: String, in t: XenStoreTransaction?) throws(XenStoreError) -> [String] { try inner.directory(path, in: t) }
    func remove(_ path: String, in t: XenStoreTransaction?) throws(XenStoreError) { try inner.remove(path, in: t) }
    func permissions(_ path: String, in t: XenStoreTransaction?) throws(XenStoreError) -> [XenStorePermission] { try inner.permissions(path, in: t) }
    func setPermissions(_ path: String, _ p: [XenStorePermission], in t: XenStoreTransaction?) throws(XenStoreError) {
        try inner.setPermissions(path, p, in: t)
    }
    func startTransaction() throws(XenStoreError) -> XenStoreTransaction { try inner.startTransaction() }
    func endTransaction(_ t: XenStoreTransaction, commit: Bool) throws(XenStoreError) -> Bool {
        if commit, allowedCommits > 0 {
            allowedCommits -= 1
            return try inner.endTransaction(t, commit: true)
        }
        _ = try inner.endTransaction(t, commit: false)
        if commit { throw XenStoreError("transaction_end", path: nil, errno: .EQUOTA) }
        return true
    }
    func watch(_ path: String, token: String) throws(XenStoreError) { try inner.watch(path, token: token) }
    func unwatch(_ path: String, token: String) throws(XenStoreError) { try inner.unwatch(path, token: token) }
    func readWatch(timeout: Double) throws(XenStoreError) -> XenStoreWatchEvent? { try inner.readWatch(timeout: timeout) }
    func introduceDomain(_ domain: DomainID, mfn: UInt64, eventChannel: UInt32) throws(XenStoreError) {
        try inner.introduceDomain(domain, mfn: mfn, eventChannel: eventChannel)
    }
    func isIntroduced(_ domain: DomainID) throws(XenStoreError) -> Bool { try inner.isIntroduced(domain) }
}

final class RecordRollbackTests: XCTestCase {
    func testAFailedRecordUndoesTheHypercall() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        let hypervisor = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, hostTree: try DefaultHostTree.make()))
        let memory = InMemoryXenStore(database: XenStoreDatabase())
        let toolstack = Toolstack(
            hypervisor: hypervisor, xenstore: CommitRefusingStore(memory), bootTree: try hypervisor.hostTree(), output: { _ in })
        let file = try DeviceTreeTools.scratch().appendingPathComponent("eth.dtbo")
        try Data(try DeviceTreeTools.compile(OverlaySources.device())).write(to: file)

        XCTAssertThrowsError(try toolstack.addOverlay(try OverlayFile(path: file.path))) { error in
            XCTAssertEqual("\(error)", "dt-overlay add \(file.path): cannot update /libxl/dt-overlay in xenstore: EQUOTA (Disk quota exceeded)")
        }
        XCTAssertEqual(hypervisor.state.overlays, [])
        XCTAssertEqual(hypervisor.state.hostTree, hypervisor.state.bootTree)
        XCTAssertEqual(try memory.children("/libxl/dt-overlay"), [])
    }

    func testAnAttachThatReachedXenIsNotUndoneByExpertMode() throws {
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        let hypervisor = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, hostTree: try DefaultHostTree.make()))
        let memory = InMemoryXenStore(database: XenStoreDatabase())
        try memory.write("/local/domain/0/name", string: "Domain-0")
        let toolstack = Toolstack(
            // The add's two commits and the attach's first; the one after the attach hypercall fails.
            hypervisor: hypervisor, xenstore: CommitRefusingStore(memory, allowedCommits: 3),
            bootTree: try hypervisor.hostTree(), output: { _ in })
        let file = try DeviceTreeTools.scratch().appendingPathComponent("eth.dtbo")
        try Data(try DeviceTreeTools.compile(OverlaySources.device())).write(to: file)

        XCTAssertThrowsError(try toolstack.addOverlay(try OverlayFile(path: file.path), attachingTo: "0")) { error in
            XCTAssertTrue("\(error)".hasSuffix("the devices stay attached (Xen has no detach)"), "\(error)")
        }
        // The overlay stays in Xen, attached, and its record says the attach to dom0 did not finish:
        // nothing was pulled from under dom0.
        XCTAssertEqual(hypervisor.state.overlays.map(\.attachedTo), [.dom0])
        XCTAssertEqual(hypervisor.state.domains[0].routedIRQs, [72, 73])
        let records = try toolstack.listOverlays()
        XCTAssertEqual(records.map(\.domain), [.dom0])
        XCTAssertEqual(records.map(\.pending), [.attach])
    }
}
