// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenStoreClient
import XenTypes

/// How `init-dom0less` ended for one domain.
public enum Dom0lessOutcome: Hashable, Sendable {
    case initialised
    /// Nothing to do (already introduced, no `xen,enhanced`, no xenstore, going away).
    case skipped
    case failed
}

/// What `init-dom0less` did for one domain, and the line it prints about it.
public struct Dom0lessResult: Hashable, Sendable {
    public var domain: DomainID
    public var outcome: Dom0lessOutcome
    public var line: String
}

/// Where `init-dom0less` gets the time and new uuids (fixed in tests).
public struct Dom0lessEnvironment: Sendable {
    /// Seconds and centiseconds since the epoch, for `/vm/<uuid>/start_time`.
    public var clock: @Sendable () -> (seconds: Int64, centiseconds: Int)
    /// 16 random bytes for a new domain handle.
    public var newHandle: @Sendable () -> [UInt8]

    public init(clock: @escaping @Sendable () -> (seconds: Int64, centiseconds: Int), newHandle: @escaping @Sendable () -> [UInt8]) {
        self.clock = clock
        self.newHandle = newHandle
    }
}

extension Toolstack {
    /// `init-dom0less`: makes every domain Xen built at boot with `xen,enhanced` PV-capable, one domain at
    /// a time; a failure is reported and the next domain is tried. Prints one line per domain.
    public func initDom0less(control: any Dom0lessControl, environment: Dom0lessEnvironment) throws -> [Dom0lessResult] {
        let version = try xenVersion()
        let nodes: [Dom0lessDomainNode]?
        do {
            nodes = try bootTree.map { try Dom0lessDomainNode.all(in: $0, version: version) }
        } catch {
            nodes = nil
            log("warning: cannot read the domains under /chosen of the boot device tree (\(error)); naming them dom0less-<id>")
        }
        let domains: [DomainInfo]
        do { domains = try hypervisor.domains() } catch { throw ToolstackError("cannot list domains: \(error)") }
        var results: [Dom0lessResult] = []
        for info in domains where info.id != .dom0 {
            let index = Int(info.id.rawValue) - 1
            let node = nodes.flatMap { index < $0.count ? $0[index] : nil }
            let label = "domain \(info.id) (\(node?.name ?? "dom0less-\(info.id)"))"
            var setup = Dom0lessSetup(
                domain: info.id, name: node?.name ?? "dom0less-\(info.id)", node: node, directMapped: info.directMapped == true,
                version: version, control: control, xenstore: xenstore, environment: environment)
            let result: Dom0lessResult
            do {
                let (outcome, what) = try setup.run()
                if outcome != .failed { storeDom0lessRecordFile(info.id, label) }
                result = Dom0lessResult(domain: info.id, outcome: outcome, line: "\(label): \(what)")
                output(result.line)
            } catch {
                result = Dom0lessResult(domain: info.id, outcome: .failed, line: "\(label): \(error)")
                log(result.line)
            }
            results.append(result)
        }
        return results
    }

    /// The userdata file of a domain `init-dom0less` initialised (now or in an earlier run), from its stub in xenstore,
    /// as upstream's `init-dom-json` stores one, named by the domain's handle; nothing for a domain without a stub
    /// or with a file already. A failure is a warning: the domain is usable, and the next run writes the file.
    private func storeDom0lessRecordFile(_ domain: DomainID, _ label: String) {
        guard let userdata else { return }
        do {
            let info: DomainInfo?
            do { info = try hypervisor.domains().first { $0.id == domain } } catch { throw ToolstackError("cannot list domains: \(error)") }
            guard let info else { return }
            let uuid = Self.userdataUUID(info)
            let stub: String?
            do throws(XenStoreError) { stub = try LibxlConfigRecord.read(under: "/libxl/\(domain)", from: xenstore) } catch {
                throw ToolstackError("cannot read /libxl/\(domain)/libxl-json: \(error.errno)")
            }
            guard let text = stub, let parsed = Dom0lessStub(parsing: text) else { return }
            do throws(Errno) { if try userdata.retrieve(domain, uuid: uuid) != nil { return } } catch {
                throw ToolstackError("cannot read \(userdata.path(domain, uuid: uuid)): \(error)")
            }
            try storeConfigRecordFile(parsed.libxlJSON(), domain, uuid: uuid)
        } catch {
            log("\(label): warning: \(error); upstream's xl list -l will not see it until init-dom0less runs again")
        }
    }
}
