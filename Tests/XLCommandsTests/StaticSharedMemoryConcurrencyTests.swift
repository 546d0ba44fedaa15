// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Toolstack
import XCTest
import XLConfig
import XenSimulator
import XenStoreClient
import XenTypes

/// Borrowers created at the same time: each counts once in `usercnt`, because the records are written in one
/// xenstore transaction that is run again when its commit conflicts.
final class StaticSharedMemoryConcurrencyTests: XCTestCase {
    /// Several `xl` processes create borrowers of ID1 at once against the real C xenstored, then destroy them at once.
    /// Each process has its own copy of the simulated hypervisor (with its own domid range), so they do not wait
    /// for each other's host lock; xenstored is the one shared store, as on a real host.
    func testConcurrentXLProcessesOnTheRealXenstoredKeepTheCountsRight() throws {
        try XCTSkipUnless(Xenstored.isAvailable, Xenstored.unavailableReason)
        let binary = try XCTUnwrap(XLRunner.binary, "the xl executable is not built next to the tests")
        let daemon = try Xenstored()
        defer { daemon.stop() }
        let xl = try XLRunner()
        xl.environment["XENSTORED_PATH"] = daemon.socketPath
        let kernel = try xl.staticSharedMemoryHost()
        XCTAssertEqual(xl("create", try xl.staticSharedMemoryConfig("vm1", kernel: kernel, specs: StaticSharedMemoryFixtures.arm["vm1"] ?? [])).status, 0)

        let count = 6
        var hosts: [String] = []
        for index in 0..<count {
            let directory = xl.scratch.appendingPathComponent("host\(index)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: xl.directory + "/host.json", toPath: directory + "/host.json")
            let host = try SimulatedHost.open(directory: directory, xenstoredSocket: daemon.socketPath)
            host.hypervisor.state.nextDomainID = UInt16(10 + index)
            try host.save()
            host.close()
            hosts.append(directory)
        }
        let configs = try (0..<count).map { index in
            try xl.staticSharedMemoryConfig("b\(index)", kernel: kernel, specs: StaticSharedMemoryFixtures.arm["vm2"] ?? [])
        }

        func runAll(_ arguments: (Int) -> [String]) throws -> [(Int32, String)] {
            var processes: [(Process, URL)] = []
            for index in 0..<count {
                let process = Process()
                process.executableURL = binary
                process.arguments = ["--simulate", hosts[index]] + arguments(index)
                var environment = ProcessInfo.processInfo.environment
                environment["XENSTORED_PATH"] = daemon.socketPath
                process.environment = environment
                let errors = xl.scratch.appendingPathComponent("stderr-\(UUID().uuidString)")
                XCTAssertTrue(FileManager.default.createFile(atPath: errors.path, contents: nil))
                process.standardError = try FileHandle(forWritingTo: errors)
                processes.append((process, errors))
            }
            for (process, _) in processes { try process.run() }
            return try processes.map { process, errors in
                process.waitUntilExit()
                return (process.terminationStatus, try String(contentsOf: errors, encoding: .utf8))
            }
        }

        let store = try LibXenStoreBackend(socketPath: daemon.socketPath)
        let created = try runAll { ["create", "-e", configs[$0]] }
        XCTAssertEqual(created.map(\.0), [Int32](repeating: 0, count: count), created.map(\.1).joined())
        XCTAssertEqual(try store.readString("/libxl/static_shm/ID1/usercnt"), "\(1 + count)")
        XCTAssertEqual(try store.directory("/libxl/static_shm/ID1/borrowers", in: nil).sorted(), (0..<count).map { String(10 + $0) }.sorted())
        for index in 0..<count {
            XCTAssertEqual(try store.readString("/local/domain/\(10 + index)/static_shm/ID1/role"), "borrower")
        }
        XCTAssertEqual(try store.readString("/libxl/static_shm/ID2/usercnt"), "1")

        let destroyed = try runAll { ["destroy", "b\($0)"] }
        XCTAssertEqual(destroyed.map(\.0), [Int32](repeating: 0, count: count), destroyed.map(\.1).joined())
        XCTAssertEqual(try store.readString("/libxl/static_shm/ID1/usercnt"), "1")
        XCTAssertFalse(try store.exists("/libxl/static_shm/ID1/borrowers"))
        XCTAssertEqual(xl("destroy", "vm1").status, 0)
        XCTAssertFalse(try store.exists("/libxl/static_shm"))
        XCTAssertEqual(try store.directory("/local/domain", in: nil), ["0"])
    }

    /// A borrower's commit that conflicts with another borrower's is run again on the new count, and the pages it
    /// mapped before the conflict are kept rather than mapped twice.
    func testAConflictingCommitIsRetriedWithoutMappingTwice() throws {
        let xen = SimulatedHypervisor(state: SimulatedHostState(version: .v4_19, flavour: .xilinx, hostTree: try DefaultHostTree.make()))
        let store = InMemoryXenStore()
        let other = store.connection(as: .dom0)
        let toolstack = Toolstack(hypervisor: xen, xenstore: store, bootTree: nil, output: { _ in })
        let scratch = try DeviceTreeTools.scratch()
        let kernel = scratch.appendingPathComponent("Image")
        try Data(CreateFixtures.kernel).write(to: kernel)
        func config(_ name: String) throws -> DomainConfig {
            let text = StaticSharedMemoryFixtures.config(name, kernel: kernel.path, specs: StaticSharedMemoryFixtures.arm[name == "vm1" ? "vm1" : "vm2"] ?? [])
            return try DomainConfig(file: try ConfigFile(parsing: text, source: "\(name).cfg"))
        }
        try toolstack.createDomain(try config("vm1"), paused: false)

        var wroteBorrower = false
        var conflicts = 0
        var starts = 0
        store.injectFailure = { operation, path in
            if operation == "write", path?.hasPrefix("/libxl/static_shm/ID1/borrowers/") == true { wroteBorrower = true }
            if operation == "transaction-start" { starts += 1 }
            if operation == "transaction-end", wroteBorrower, conflicts == 0 {
                // Another borrower commits first.
                conflicts += 1
                for (key, value) in [("begin", "0x60000000"), ("size", "0x1000"), ("offset", "0x0"), ("prot", "rw")] {
                    try? other.write("/libxl/static_shm/ID1/borrowers/99/\(key)", string: value)
                }
                try? other.write("/libxl/static_shm/ID1/usercnt", string: "2")
            }
            return nil
        }
        let startsBefore = starts
        let borrower = try XCTUnwrap(try toolstack.createDomain(try config("vm2"), paused: false))
        XCTAssertEqual(conflicts, 1)
        XCTAssertGreaterThan(starts - startsBefore, 3, "the static_shm transaction ran twice")
        XCTAssertEqual(try store.readString("/libxl/static_shm/ID1/usercnt"), "3", "both borrowers count")
        XCTAssertEqual(try store.directory("/libxl/static_shm/ID1/borrowers", in: nil).sorted(), ["99", "\(borrower)"].sorted())
        let mapped = xen.state.domains.first { $0.id == borrower }?.p2m.count
        XCTAssertEqual(mapped, 0x100000 / 4096)
        XCTAssertEqual(xen.state.memory.pages.values.map(\.references), [UInt32](repeating: 2, count: 0x100000 / 4096), "each page mapped once")
    }
}
