// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The host queries as encoded hypercalls through the transport.
extension XenCallHypervisor: HostInformation {
    public func physicalInfo() throws(HypervisorError) -> PhysicalInfo {
        let reply = try exchange(try HostInfoHypercalls.physinfo(release: version()), as: "XEN_SYSCTL_physinfo")
        guard let info = HostInfoHypercalls.decodePhysinfo(reply.envelope) else { throw HypervisorError("XEN_SYSCTL_physinfo", errno: .EIO) }
        return info
    }

    public func schedulerID() throws(HypervisorError) -> UInt32 {
        let reply = try exchange(try HostInfoHypercalls.schedID(release: version()), as: "XEN_SYSCTL_sched_id")
        guard let id = HostInfoHypercalls.decodeSchedID(reply.envelope) else { throw HypervisorError("XEN_SYSCTL_sched_id", errno: .EIO) }
        return id
    }

    public func versionInfo() throws(HypervisorError) -> XenVersionInfo {
        let release = try version()
        func ask(_ command: HostInfoHypercalls.VersionCommand) throws(HypervisorError) -> HypercallReply {
            try exchange(HostInfoHypercalls.xenVersion(command), as: "XENVER_\(command)")
        }
        let text = { (command: HostInfoHypercalls.VersionCommand) throws(HypervisorError) -> String in
            HostInfoHypercalls.string(try ask(command).envelope[...])
        }
        guard let compile = HostInfoHypercalls.decodeCompileInfo(try ask(.compileInfo).envelope) else {
            throw HypervisorError("XENVER_compile_info", errno: .EIO)
        }
        let parameters = try ask(.platformParameters).envelope
        let virtStart = UInt64(HostInfoHypercalls.word(parameters, at: 0)) | UInt64(HostInfoHypercalls.word(parameters, at: 4)) << 32
        let pageSize = try ask(.pagesize).result
        // Xen without a build id answers ENODATA; libxl then has none.
        var buildID: String?
        do throws(HypervisorError) {
            let reply = try ask(.buildID)
            buildID = HostInfoHypercalls.decodeBuildID(reply.envelope, length: reply.result)
        } catch where error.errno == .ENODATA {
            buildID = nil
        }
        return XenVersionInfo(
            major: release.major, minor: release.minor, extra: try text(.extraversion), capabilities: try text(.capabilities),
            changeset: try text(.changeset), virtStart: virtStart, pageSize: UInt32(truncatingIfNeeded: pageSize),
            commandline: try text(.commandline), compiler: compile.compiler, compileBy: compile.by, compileDomain: compile.domain,
            compileDate: compile.date, buildID: buildID)
    }

    public func readConsole(clear: Bool) throws(HypervisorError) -> [UInt8] {
        let release = try version()
        var index: UInt32 = 0
        var text: [UInt8] = []
        while text.count < HostInfoHypercalls.consoleLimit {
            let reply = try exchange(try HostInfoHypercalls.readConsole(release: release, clear: clear, index: index), as: "XEN_SYSCTL_readconsole")
            guard let (next, bytes) = HostInfoHypercalls.decodeReadConsole(reply) else { throw HypervisorError("XEN_SYSCTL_readconsole", errno: .EIO) }
            if bytes.isEmpty { break }
            text += bytes
            index = next
        }
        return text
    }
}
