// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The encodings of the host queries for ARM64: `XEN_SYSCTL_readconsole` (1), `XEN_SYSCTL_physinfo` (3),
/// `XEN_SYSCTL_sched_id` (4) and the `__HYPERVISOR_xen_version` sub-commands.
///
/// `struct xen_sysctl` is 136 bytes with the payload at 8 (as ``DTOverlayHypercall``); the payloads are unchanged
/// from 4.17 to 4.22, only the interface version differs (``InterfaceVersions``):
/// - physinfo: `threads_per_core` u32 @8, `cores_per_socket` @12, `nr_cpus` @16, `max_cpu_id` @20, `nr_nodes` @24,
///   `max_node_id` @28, `cpu_khz` @32, `capabilities` @36, `arch_capabilities` @40, pad @44, `total_pages` u64 @48,
///   `free_pages` @56, `scrub_pages` @64, `outstanding_pages` @72, `max_mfn` @80, `hw_cap[8]` u32 @88 to @120.
/// - sched_id: `sched_id` u32 @8.
/// - readconsole: `clear` u8 @8, `incremental` u8 @9, `index` u32 @12, `buffer` handle @16, `count` u32 @24.
///
/// `xen_version(cmd, arg)` takes the sub-command first and a buffer of the sub-command's fixed size
/// (`xen_extraversion_t` 16 bytes, `xen_compile_info_t` 144, `xen_capabilities_info_t` 1024, `xen_changeset_info_t`
/// 64, `xen_platform_parameters_t` 8, `xen_commandline_t` 1024, `xen_build_id_t` a u32 length and its bytes).
public enum HostInfoHypercalls {
    public static let readconsoleCommand: UInt32 = 1
    public static let physinfoCommand: UInt32 = 3
    public static let schedIDCommand: UInt32 = 4
    /// Bytes asked for per `readconsole` call: the default size of Xen's console ring, as libxl's reader.
    public static let consoleChunk = 16384
    /// Most bytes read from the ring in one `xl dmesg` (Xen's largest `conring_size` is 16 MiB).
    public static let consoleLimit = 16 << 20

    /// The `XENVER_*` sub-commands `xl info` uses and the size of each one's buffer.
    public enum VersionCommand: UInt64, Sendable, CaseIterable {
        case version = 0, extraversion = 1, compileInfo = 2, capabilities = 3, changeset = 4, platformParameters = 5
        case pagesize = 7, commandline = 9, buildID = 10

        public var bufferSize: Int {
            switch self {
            case .version, .pagesize: return 0
            case .extraversion: return 16
            case .compileInfo: return 144
            case .capabilities, .commandline, .buildID: return 1024
            case .changeset: return 64
            case .platformParameters: return 8
            }
        }
    }

    public static func physinfo(release: XenVersion) throws(HypervisorError) -> HypercallRequest {
        HypercallRequest(hypercall: HypercallRequest.sysctl, envelope: try envelope(physinfoCommand, "XEN_SYSCTL_physinfo", release),
                         handleOffset: nil, buffer: [])
    }

    public static func schedID(release: XenVersion) throws(HypervisorError) -> HypercallRequest {
        HypercallRequest(hypercall: HypercallRequest.sysctl, envelope: try envelope(schedIDCommand, "XEN_SYSCTL_sched_id", release),
                         handleOffset: nil, buffer: [])
    }

    /// An incremental read of up to `size` bytes from ring index `index`; `clear` empties the ring after it.
    public static func readConsole(release: XenVersion, clear: Bool, index: UInt32, size: Int = consoleChunk) throws(HypervisorError) -> HypercallRequest {
        var bytes = try envelope(readconsoleCommand, "XEN_SYSCTL_readconsole", release)
        bytes[8] = clear ? 1 : 0
        bytes[9] = 1
        put(index, at: 12, in: &bytes)
        put(UInt32(size), at: 24, in: &bytes)
        return HypercallRequest(hypercall: HypercallRequest.sysctl, envelope: bytes, handleOffset: 16, buffer: [UInt8](repeating: 0, count: size))
    }

    /// `xen_version(command, buffer)`; `XENVER_build_id`'s buffer starts with the room for the id.
    public static func xenVersion(_ command: VersionCommand) -> HypercallRequest {
        var buffer = [UInt8](repeating: 0, count: command.bufferSize)
        if command == .buildID { put(UInt32(command.bufferSize - 4), at: 0, in: &buffer) }
        return HypercallRequest(hypercall: HypercallRequest.xenVersion, envelope: buffer, handleOffset: nil, buffer: [], command: command.rawValue)
    }

    /// The physinfo Xen wrote into the envelope; nil for an envelope of the wrong size.
    public static func decodePhysinfo(_ envelope: [UInt8]) -> PhysicalInfo? {
        guard envelope.count == DTOverlayHypercall.sysctlSize else { return nil }
        let u32 = { (offset: Int) in word(envelope, at: offset) }
        let u64 = { (offset: Int) in UInt64(word(envelope, at: offset)) | UInt64(word(envelope, at: offset + 4)) << 32 }
        return PhysicalInfo(
            threadsPerCore: u32(8), coresPerSocket: u32(12), nrCPUs: u32(16), maxCPUID: u32(20), nrNodes: u32(24), maxNodeID: u32(28),
            cpuKHz: u32(32), capabilities: u32(36), archCapabilities: u32(40), totalPages: u64(48), freePages: u64(56), scrubPages: u64(64),
            outstandingPages: u64(72), maxMFN: u64(80), hwCap: (0..<8).map { u32(88 + 4 * $0) })
    }

    /// The scheduler id Xen wrote into the envelope.
    public static func decodeSchedID(_ envelope: [UInt8]) -> UInt32? {
        envelope.count == DTOverlayHypercall.sysctlSize ? word(envelope, at: 8) : nil
    }

    /// The ring index after the read and the bytes read; nil when Xen's count exceeds the buffer.
    public static func decodeReadConsole(_ reply: HypercallReply) -> (index: UInt32, bytes: [UInt8])? {
        guard reply.envelope.count == DTOverlayHypercall.sysctlSize else { return nil }
        let count = Int(word(reply.envelope, at: 24))
        guard count <= reply.buffer.count else { return nil }
        return (word(reply.envelope, at: 12), Array(reply.buffer.prefix(count)))
    }

    /// A fixed-size `char[]` Xen filled: the text up to its first NUL, invalid UTF-8 repaired.
    public static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `xen_compile_info_t`: compiler, compile_by, compile_domain, compile_date.
    public static func decodeCompileInfo(_ bytes: [UInt8]) -> (compiler: String, by: String, domain: String, date: String)? {
        guard bytes.count == VersionCommand.compileInfo.bufferSize else { return nil }
        return (string(bytes[0..<64]), string(bytes[64..<80]), string(bytes[80..<112]), string(bytes[112..<144]))
    }

    /// `xen_build_id_t` after a call that returned `length`: the id as lower-case hex.
    public static func decodeBuildID(_ bytes: [UInt8], length: Int) -> String? {
        guard length > 0, 4 + length <= bytes.count else { return nil }
        let digits = Array("0123456789abcdef")
        return String(bytes[4..<(4 + length)].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    /// A little-endian u32 of the buffer.
    static func word(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func envelope(_ command: UInt32, _ name: String, _ release: XenVersion) throws(HypervisorError) -> [UInt8] {
        guard let version = InterfaceVersions.sysctl(for: release) else { throw HypervisorError(name, errno: .ENOSYS) }
        var bytes = [UInt8](repeating: 0, count: DTOverlayHypercall.sysctlSize)
        put(command, at: 0, in: &bytes)
        put(version, at: 4, in: &bytes)
        return bytes
    }

    static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<4 { bytes[offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) }
    }
}
