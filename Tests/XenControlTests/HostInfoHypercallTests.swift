// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenControl
import XenSys
import XenTypes

/// The host queries' encodings, byte for byte, per interface version, against the installed (4.17) headers' layout,
/// and their decoding of what Xen writes back.
final class HostInfoHypercallTests: XCTestCase {
    /// The 8-byte sysctl header: command, then the interface version.
    private func header(_ command: UInt8, _ version: UInt8) -> [UInt8] { [command, 0, 0, 0, version, 0, 0, 0] }

    func testPayloadLayoutsMatchTheHeaders() {
        // physinfo: cpu_khz, arch_capabilities, total_pages, outstanding_pages, max_mfn and hw_cap, relative to the payload.
        XCTAssertEqual(ABI.physinfoOffsets, [24, 32, 40, 64, 72, 80])
        XCTAssertEqual(ABI.physinfoSize, 112)
        XCTAssertEqual(ABI.readconsoleOffsets, [4, 8, 16])
        XCTAssertEqual(ABI.versionBufferSizes, [144, 1024, 64, 16, 8, 1024])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.compileInfo.bufferSize, ABI.versionBufferSizes[0])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.capabilities.bufferSize, ABI.versionBufferSizes[1])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.changeset.bufferSize, ABI.versionBufferSizes[2])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.extraversion.bufferSize, ABI.versionBufferSizes[3])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.platformParameters.bufferSize, ABI.versionBufferSizes[4])
        XCTAssertEqual(HostInfoHypercalls.VersionCommand.commandline.bufferSize, ABI.versionBufferSizes[5])
    }

    func testPhysinfoAndSchedIDPerInterfaceVersion() throws {
        for (release, version) in [(XenVersion.v4_18, UInt8(0x15)), (.v4_19, 0x15), (.v4_21, 0x16), (.v4_22, 0x16)] {
            let physinfo = try HostInfoHypercalls.physinfo(release: release)
            XCTAssertEqual(physinfo.hypercall, 35)
            XCTAssertEqual(physinfo.envelope, header(3, version) + Array(repeating: 0, count: 128), "\(release)")
            XCTAssertNil(physinfo.handleOffset)
            XCTAssertNil(physinfo.command)
            let sched = try HostInfoHypercalls.schedID(release: release)
            XCTAssertEqual(sched.envelope, header(4, version) + Array(repeating: 0, count: 128), "\(release)")
        }
        XCTAssertThrowsError(try HostInfoHypercalls.physinfo(release: XenVersion(5, 0))) { error in
            XCTAssertEqual((error as? HypervisorError)?.errno, .ENOSYS)
        }
    }

    func testReadConsoleIsIncrementalFromTheGivenIndex() throws {
        let request = try HostInfoHypercalls.readConsole(release: .v4_22, clear: true, index: 0x1234, size: 16384)
        XCTAssertEqual(Array(request.envelope[0..<28]), header(1, 0x16) + [
            0x01, 0x01, 0x00, 0x00, 0x34, 0x12, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x40, 0x00, 0x00,
        ])
        XCTAssertEqual(request.handleOffset, 16)
        XCTAssertEqual(request.buffer.count, 16384)
        let keep = try HostInfoHypercalls.readConsole(release: .v4_19, clear: false, index: 0)
        XCTAssertEqual(Array(keep.envelope[4..<10]), [0x15, 0, 0, 0, 0x00, 0x01])
    }

    func testXenVersionCommandsComeFirstWithTheirBuffers() {
        let compile = HostInfoHypercalls.xenVersion(.compileInfo)
        XCTAssertEqual(compile.hypercall, 17)
        XCTAssertEqual(compile.command, 2)
        XCTAssertEqual(compile.envelope, Array(repeating: 0, count: 144))
        XCTAssertNil(compile.handleOffset)
        let build = HostInfoHypercalls.xenVersion(.buildID)
        XCTAssertEqual(build.command, 10)
        XCTAssertEqual(Array(build.envelope[0..<4]), [0xFC, 0x03, 0, 0], "the room for the id: 1020 bytes")
        XCTAssertEqual(HostInfoHypercalls.xenVersion(.pagesize).envelope, [])
        XCTAssertEqual(HostInfoHypercalls.xenVersion(.commandline).command, 9)
    }

    func testPhysinfoIsDecodedFromTheEnvelope() throws {
        var envelope = header(3, 0x16) + Array(repeating: 0, count: 128)
        func put(_ value: UInt64, _ offset: Int, _ width: Int) { for i in 0..<width { envelope[offset + i] = UInt8((value >> (8 * UInt64(i))) & 0xFF) } }
        put(1, 8, 4); put(2, 12, 4); put(4, 16, 4); put(3, 20, 4); put(1, 24, 4); put(0, 28, 4); put(62500, 32, 4); put(0x10D, 36, 4)
        put(2, 40, 4); put(0x1_0000_0000, 48, 8); put(0x8000, 56, 8); put(7, 64, 8); put(5, 72, 8); put(0xFFFFF, 80, 8); put(0xDEADBEEF, 88 + 28, 4)
        let info = try XCTUnwrap(HostInfoHypercalls.decodePhysinfo(envelope))
        XCTAssertEqual([info.threadsPerCore, info.coresPerSocket, info.nrCPUs, info.maxCPUID, info.nrNodes, info.maxNodeID, info.cpuKHz],
                       [1, 2, 4, 3, 1, 0, 62500])
        XCTAssertEqual(info.capabilities, 0x10D)
        XCTAssertTrue(info.has(.hvm) && info.has(.hap) && info.has(.directio) && info.has(.gnttabV1) && !info.has(.pv))
        XCTAssertEqual(info.archCapabilities, 2)
        XCTAssertEqual([info.totalPages, info.freePages, info.scrubPages, info.outstandingPages, info.maxMFN], [0x1_0000_0000, 0x8000, 7, 5, 0xFFFFF])
        XCTAssertEqual(info.hwCap, [0, 0, 0, 0, 0, 0, 0, 0xDEADBEEF])
        XCTAssertNil(HostInfoHypercalls.decodePhysinfo(Array(envelope.prefix(100))))
    }

    func testTheHypervisorReadsTheConsoleRingUntilItIsEmpty() throws {
        let transport = RecordingTransport()
        let ring = Array("(XEN) one\n(XEN) two\n".utf8)
        transport.answer = { request in
            var envelope = request.envelope
            var buffer = request.buffer
            let index = Int(envelope[12]) | Int(envelope[13]) << 8
            let chunk = Array(ring.dropFirst(index).prefix(12))
            buffer.replaceSubrange(0..<chunk.count, with: chunk)
            let next = index + chunk.count
            envelope[12] = UInt8(next & 0xFF); envelope[13] = UInt8(next >> 8)
            envelope[24] = UInt8(chunk.count); envelope[25] = 0
            return HypercallReply(result: 0, envelope: envelope, buffer: buffer)
        }
        let hypervisor = XenCallHypervisor(transport: transport, control: FixedControl(.v4_19))
        XCTAssertEqual(try hypervisor.readConsole(clear: true), ring)
        XCTAssertEqual(transport.requests.count, 3, "two chunks, then an empty read")
        XCTAssertEqual(transport.requests.map { $0.envelope[8] }, [1, 1, 1], "every read asks to clear")
        transport.answer = { request in
            var envelope = request.envelope
            envelope[24] = 0xFF; envelope[25] = 0xFF; envelope[26] = 0xFF
            return HypercallReply(result: 0, envelope: envelope, buffer: request.buffer)
        }
        XCTAssertThrowsError(try hypervisor.readConsole(clear: false), "a count beyond the buffer is refused") { error in
            XCTAssertEqual((error as? HypervisorError)?.errno, .EIO)
        }
        transport.failure = .EPERM
        XCTAssertThrowsError(try hypervisor.readConsole(clear: false)) { error in
            XCTAssertEqual(error as? HypervisorError, HypervisorError("XEN_SYSCTL_readconsole", errno: .EPERM))
        }
    }

    func testVersionInfoAsksEachSubcommand() throws {
        let transport = RecordingTransport()
        transport.answer = { request in
            var envelope = request.envelope
            func text(_ value: String, at offset: Int = 0) { envelope.replaceSubrange(offset..<(offset + value.utf8.count), with: Array(value.utf8)) }
            var result = 0
            switch request.command {
            case 1: text("-rc")
            case 2: text("gcc"); text("builder", at: 64); text("example.org", at: 80); text("Mon Jan 1", at: 112)
            case 3: text("xen-3.0-aarch64 ")
            case 4: text("abc123")
            case 5: envelope.replaceSubrange(0..<8, with: [0, 0, 0x20, 0, 0, 0, 0, 0])
            case 7: result = 4096
            case 9: text("console=dtuart")
            case 10: envelope.replaceSubrange(4..<7, with: [0xAB, 0x01, 0xFF]); result = 3
            default: break
            }
            return HypercallReply(result: result, envelope: envelope, buffer: request.buffer)
        }
        let info = try XenCallHypervisor(transport: transport, control: FixedControl(.v4_22)).versionInfo()
        XCTAssertEqual(info, XenVersionInfo(major: 4, minor: 22, extra: "-rc", capabilities: "xen-3.0-aarch64 ", changeset: "abc123",
                                            virtStart: 0x200000, pageSize: 4096, commandline: "console=dtuart", compiler: "gcc",
                                            compileBy: "builder", compileDomain: "example.org", compileDate: "Mon Jan 1", buildID: "ab01ff"))
        XCTAssertEqual(Set(transport.requests.compactMap(\.command)), [1, 2, 3, 4, 5, 7, 9, 10])
        XCTAssertTrue(transport.requests.allSatisfy { $0.hypercall == 17 })
    }
}
