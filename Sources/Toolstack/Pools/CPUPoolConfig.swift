// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenControl
import XenTypes

/// What `xl cpupool-create` reads from its config file and `KEY=VALUE` arguments: `name`, `sched`, and the CPUs as
/// `cpus` (a cpu-list string, or a list of CPU numbers) or `nodes` (a list of NUMA nodes, whose free CPUs it takes).
public struct CPUPoolConfig: Hashable, Sendable {
    public var name: String
    /// nil: the host's default scheduler.
    public var scheduler: Scheduler?
    public var cpus: CPUSet
    /// Where the settings came from, as upstream's "Using config file" line names it.
    public var source: String

    /// Why CPUs in a pool cannot go into another: "CPU 1 is not free: it is in Pool-0", "CPUs 1-3 are not free:
    /// they are in Pool-0 and rt" (`owners` empty: "in a cpupool").
    static func notFree(_ cpus: CPUSet, owners: [String]) -> String {
        let one = cpus.count == 1
        let pools = owners.isEmpty ? "a cpupool" : owners.count == 1 ? owners[0] : owners.dropLast().joined(separator: ", ") + " and " + owners[owners.count - 1]
        return "\(one ? "CPU" : "CPUs") \(cpus.description) \(one ? "is" : "are") not free: \(one ? "it is" : "they are") in \(pools) (xl cpupool-cpu-remove \(one ? "it" : "them") first)"
    }

    /// The keys a cpupool config may have; any other is an error.
    static let keys: Set<String> = ["name", "sched", "cpus", "nodes"]

    /// Reads `file` (nil: the command line only) on a host with CPUs `0..<cpuCount`, of which `free` are in no
    /// pool. `nodes` takes only free CPUs, as upstream; a `cpus` CPU that is not free is an error naming it.
    init(file: ConfigFile, fileName: String?, cpuCount: Int, free: CPUSet) throws {
        source = fileName ?? "command line"
        if let setting = file.settings.first(where: { !Self.keys.contains($0.key) }) {
            throw ToolstackError("\(setting.location): \(setting.key) is not a cpupool key (name, sched, cpus, nodes)")
        }
        if let setting = file["name"] {
            guard let text = setting.value.string, !text.isEmpty else { throw ToolstackError("\(setting.location): name must be a non-empty string") }
            name = text
        } else if let fileName {
            name = String(fileName.split(separator: "/").last ?? Substring(fileName))
        } else {
            throw ToolstackError("cpupool-create: the pool needs a name (name=NAME, or a config file)")
        }
        try Self.checkName(name, "cpupool-create")
        if let setting = file["sched"] {
            guard let text = setting.value.string, let known = Scheduler(name: text) else {
                let names = Scheduler.known.map(\.name).joined(separator: ", ")
                throw ToolstackError("\(setting.location): sched must be one of \(names)")
            }
            scheduler = known
        } else {
            scheduler = nil
        }
        if let setting = file["nodes"] {
            guard file["cpus"] == nil else { throw ToolstackError("\(setting.location): give cpus or nodes, not both") }
            let items = setting.value.list ?? [setting.value]
            var nodes: [Int] = []
            for item in items {
                // One NUMA node on every ARM host Xen supports.
                guard let text = item.string, let node = Int(text), node == 0 else {
                    throw ToolstackError("\(setting.location): nodes must list NUMA nodes; this host has only node 0")
                }
                nodes.append(node)
            }
            cpus = free
            guard !cpus.isEmpty else { throw ToolstackError("\(setting.location): node 0 has no free CPU (xl cpupool-list -c)") }
        } else if let setting = file["cpus"] {
            var set: CPUSet
            if let items = setting.value.list {
                var numbers: [Int] = []
                for item in items {
                    guard let text = item.string, let number = Int(text), number >= 0, number < cpuCount else {
                        throw ToolstackError("\(setting.location): cpus lists CPU numbers from 0 to \(cpuCount - 1)")
                    }
                    numbers.append(number)
                }
                set = CPUSet(numbers)
            } else {
                do { set = try CPUList(setting.value.string ?? "").resolve(cpuCount: cpuCount, allowEmpty: true) } catch {
                    throw ToolstackError("\(setting.location): cpus: \(error)")
                }
            }
            let taken = set.subtracting(free)
            guard taken.isEmpty else {
                throw ToolstackError("\(setting.location): \(Self.notFree(taken, owners: []))")
            }
            cpus = set
        } else {
            cpus = CPUSet([])
        }
    }

    /// A pool name xl accepts: not empty, not all digits (it would read as an id), no `/`, at most 64 bytes.
    static func checkName(_ name: String, _ context: String) throws {
        guard !name.isEmpty, name.utf8.count <= 64, !name.contains("/"), !name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ToolstackError("\(context): \(name.debugDescription) is not a pool name: 1 to 64 bytes, not all digits, no '/' or control characters")
        }
    }
}
