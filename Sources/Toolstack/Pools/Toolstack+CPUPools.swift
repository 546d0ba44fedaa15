// SPDX-License-Identifier: Apache-2.0
import Foundation
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

/// One row of `xl cpupool-list`: a pool, its name in xenstore, and what Xen says of it.
public struct CPUPoolListing: Hashable, Sendable {
    public var id: UInt32
    public var name: String
    public var scheduler: Scheduler
    public var domainCount: Int
    public var cpus: CPUSet
}

/// What `xl cpupool-create` did or, with `-N`, would do.
public struct CPUPoolCreation: Hashable, Sendable {
    public var config: CPUPoolConfig
    /// The scheduler the pool runs (the host's default when the config names none).
    public var scheduler: Scheduler
    /// The new pool's id; nil in a dry run.
    public var id: UInt32?
}

extension Toolstack {
    /// `xl cpupool-list [POOL]`: every pool in id order, or the one named (by name or id).
    public func cpupoolList(_ pool: String?) throws -> [CPUPoolListing] {
        let pools = try listedPools("cpupool-list")
        guard let pool else { return pools }
        guard let found = Self.pool(pool, in: pools) else { throw ToolstackError("cpupool-list: no cpupool is named \(pool.debugDescription)") }
        return [found]
    }

    /// `xl cpupool-create [FILE] [KEY=VALUE ...]`: a pool with the config's name, scheduler and CPUs, its name and a
    /// new UUID in `/local/pool/ID`. Everything is checked first; a failure takes back the CPUs added and the pool.
    /// `dryRun` (`-n`) checks and creates nothing, as xl -N.
    public func createCPUPool(file path: String?, overrides: [String], dryRun: Bool = false) throws -> CPUPoolCreation {
        var file: ConfigFile
        do {
            file = try path.map { try ConfigFile.load($0) } ?? ConfigFile(source: "command line")
            try file.applyOverrides(overrides)
        } catch let error as ConfigReadError {
            throw ToolstackError(error.description)
        } catch let error as ConfigSyntaxError {
            throw ToolstackError(error.description)
        }
        let control = try cpuControl("cpupool-create")
        let cpuCount = try hostCPUCount("cpupool-create")
        let free: CPUSet
        do throws(HypervisorError) { free = try control.freeCPUs() } catch { throw ToolstackError("cpupool-create: \(error.returned)") }
        let config = try CPUPoolConfig(file: file, fileName: path, cpuCount: cpuCount, free: free)
        let pools = try listedPools("cpupool-create")
        if pools.contains(where: { $0.name == config.name }) {
            throw ToolstackError("cpupool-create: a cpupool is already named \(config.name.debugDescription)")
        }
        let scheduler: Scheduler
        if let chosen = config.scheduler {
            scheduler = chosen
        } else {
            let host = try hostInformation("cpupool-create")
            do throws(HypervisorError) { scheduler = Scheduler(rawValue: try host.schedulerID()) } catch {
                throw ToolstackError("cpupool-create: \(error.returned)")
            }
        }
        if dryRun || self.dryRun { return CPUPoolCreation(config: config, scheduler: scheduler, id: nil) }
        let id: UInt32
        do throws(HypervisorError) { id = try control.createCPUPool(id: nil, scheduler: scheduler) } catch {
            throw ToolstackError("cpupool-create \(config.name): \(error.returned)")
        }
        var added: [Int] = []
        do {
            for cpu in config.cpus.cpus {
                do throws(HypervisorError) { try control.addCPU(cpu, toPool: id) } catch {
                    throw ToolstackError("cpupool-create \(config.name): CPU \(cpu): \(error.returned)")
                }
                added.append(cpu)
            }
            let home = "/local/pool/\(id)"
            do {
                try xenstore.transaction { tx in
                    if let uuid = DomainUUID.random() { try xenstore.write(home + "/uuid", string: uuid.description, in: tx) }
                    try xenstore.write(home + "/name", string: config.name, in: tx)
                }
            } catch let error as XenStoreError {
                throw ToolstackError("cpupool-create \(config.name): cannot write \(home): \(error.errno)")
            }
        } catch {
            for cpu in added.reversed() { try? control.removeCPU(cpu, fromPool: id) }
            try? control.destroyCPUPool(id)
            throw error
        }
        return CPUPoolCreation(config: config, scheduler: scheduler, id: id)
    }

    /// `xl cpupool-destroy POOL`: a pool without domains; its CPUs become free and `/local/pool/ID` goes.
    /// A failure part way puts the CPUs already taken out back.
    public func destroyCPUPool(_ argument: String) throws {
        let context = "cpupool-destroy \(argument)"
        let pool = try namedPool(argument, context)
        guard pool.id != 0 else { throw ToolstackError("\(context): Pool-0 holds dom0 and cannot be destroyed") }
        guard pool.domainCount == 0 else {
            throw ToolstackError("\(context): \(pool.domainCount) \(pool.domainCount == 1 ? "domain still runs" : "domains still run") in it (xl cpupool-migrate them first)")
        }
        if dryRun { return output("dry run: would free CPUs \(Self.bitmapText(pool.cpus, bits: Int.max)) and destroy cpupool \(pool.id)") }
        let control = try cpuControl("cpupool-destroy")
        var removed: [Int] = []
        do throws(HypervisorError) {
            for cpu in pool.cpus.cpus {
                try control.removeCPU(cpu, fromPool: pool.id)
                removed.append(cpu)
            }
            try control.destroyCPUPool(pool.id)
        } catch {
            for cpu in removed.reversed() { try? control.addCPU(cpu, toPool: pool.id) }
            throw ToolstackError("\(context): \(error.returned)")
        }
        do throws(XenStoreError) { try xenstore.remove("/local/pool/\(pool.id)", in: nil) } catch {
            throw ToolstackError("\(context): the pool is gone, but /local/pool/\(pool.id) stays: \(error.errno)", hostChanged: true)
        }
    }

    /// `xl cpupool-rename POOL NEWNAME`: `/local/pool/ID/name`; a name another pool has is refused.
    public func renameCPUPool(_ argument: String, to newName: String) throws {
        let context = "cpupool-rename \(argument)"
        let pools = try listedPools("cpupool-rename")
        guard let pool = Self.pool(argument, in: pools) else { throw ToolstackError("\(context): no cpupool is named \(argument.debugDescription)") }
        try CPUPoolConfig.checkName(newName, context)
        if let other = pools.first(where: { $0.name == newName && $0.id != pool.id }) {
            throw ToolstackError("\(context): cpupool \(other.id) is already named \(newName.debugDescription)")
        }
        let path = "/local/pool/\(pool.id)/name"
        if dryRun { return output("dry run: would write \(path) = \"\(newName)\"") }
        do { try xenstore.write(path, string: newName) } catch { throw ToolstackError("\(context): cannot write \(path): \(error.errno)") }
    }

    /// `xl cpupool-cpu-add POOL CPU-LIST`: every CPU of the list must be free; all are added or none.
    public func addCPUs(_ argument: String, _ list: String) throws {
        let context = "cpupool-cpu-add \(argument) \(list)"
        let pool = try namedPool(argument, context)
        let control = try cpuControl("cpupool-cpu-add")
        let cpus = try resolvedCPUs(list, context)
        let free: CPUSet
        do throws(HypervisorError) { free = try control.freeCPUs() } catch { throw ToolstackError("\(context): \(error.returned)") }
        let taken = cpus.subtracting(free)
        guard taken.isEmpty else {
            let owners = try listedPools("cpupool-cpu-add").filter { !$0.cpus.intersection(taken).isEmpty }.map(\.name)
            throw ToolstackError("\(context): \(CPUPoolConfig.notFree(taken, owners: owners))")
        }
        if dryRun { return output("dry run: would add CPUs \(cpus.description) to cpupool \(pool.id)") }
        var added: [Int] = []
        do throws(HypervisorError) {
            for cpu in cpus.cpus {
                try control.addCPU(cpu, toPool: pool.id)
                added.append(cpu)
            }
        } catch {
            for cpu in added.reversed() { try? control.removeCPU(cpu, fromPool: pool.id) }
            throw ToolstackError("\(context): \(error.returned)")
        }
    }

    /// `xl cpupool-cpu-remove POOL CPU-LIST`: every CPU of the list must be in the pool; CPU 0 stays in Pool-0, and
    /// a pool with domains keeps at least one CPU. All are removed or none.
    public func removeCPUs(_ argument: String, _ list: String) throws {
        let context = "cpupool-cpu-remove \(argument) \(list)"
        let pool = try namedPool(argument, context)
        let control = try cpuControl("cpupool-cpu-remove")
        let cpus = try resolvedCPUs(list, context)
        let foreign = cpus.subtracting(pool.cpus)
        guard foreign.isEmpty else { throw ToolstackError("\(context): CPU \(foreign.description) is not in \(pool.name)") }
        if pool.id == 0, cpus.contains(0) { throw ToolstackError("\(context): CPU 0 must stay in Pool-0") }
        if pool.domainCount > 0, pool.cpus.subtracting(cpus).isEmpty {
            throw ToolstackError("\(context): \(pool.name) has domains and would have no CPU left (xl cpupool-migrate them first)")
        }
        if dryRun { return output("dry run: would remove CPUs \(cpus.description) from cpupool \(pool.id)") }
        var removed: [Int] = []
        do throws(HypervisorError) {
            for cpu in cpus.cpus {
                try control.removeCPU(cpu, fromPool: pool.id)
                removed.append(cpu)
            }
        } catch {
            for cpu in removed.reversed() { try? control.addCPU(cpu, toPool: pool.id) }
            throw ToolstackError("\(context): \(error.returned)")
        }
    }

    /// `xl cpupool-migrate DOMAIN POOL`: the domain runs in the pool from now on; its vCPUs' affinities become
    /// every CPU again (Xen resets them).
    public func migrateToPool(_ domainArgument: String, _ poolArgument: String) throws {
        let context = "cpupool-migrate \(domainArgument) \(poolArgument)"
        let info: DomainInfo
        do { info = try findDomain(domainArgument) } catch let error as ToolstackError { throw ToolstackError("\(context): \(error.message)") }
        guard info.id != .dom0 else { throw ToolstackError("\(context): dom0 stays in Pool-0") }
        let pool = try namedPool(poolArgument, context)
        guard !pool.cpus.isEmpty else { throw ToolstackError("\(context): \(pool.name) has no CPU (xl cpupool-cpu-add one first)") }
        if dryRun { return output("dry run: would move domain \(info.id) to cpupool \(pool.id)") }
        let control = try cpuControl("cpupool-migrate")
        do throws(HypervisorError) { try control.moveDomain(info.id, toPool: pool.id) } catch {
            throw ToolstackError("\(context): \(error.returned)")
        }
    }

    /// Every pool with its name.
    private func listedPools(_ command: String) throws -> [CPUPoolListing] {
        let control = try cpuControl(command)
        let pools: [CPUPoolInfo]
        do throws(HypervisorError) { pools = try control.cpupools() } catch { throw ToolstackError("\(command): \(error.returned)") }
        return try pools.map { pool in
            let name: String
            do { name = try poolName(pool.id) } catch let error as ToolstackError { throw ToolstackError("\(command): \(error.message)") }
            return CPUPoolListing(id: pool.id, name: name, scheduler: pool.scheduler, domainCount: pool.domainCount, cpus: pool.cpus)
        }
    }

    private func namedPool(_ argument: String, _ context: String) throws -> CPUPoolListing {
        guard let pool = Self.pool(argument, in: try listedPools(String(context.prefix { $0 != " " }))) else {
            throw ToolstackError("\(context): no cpupool is named \(argument.debugDescription)")
        }
        return pool
    }

    /// The pool an argument names, as `libxl_cpupool_qualifier_to_cpupoolid`: all digits is an id, else a name.
    private static func pool(_ argument: String, in pools: [CPUPoolListing]) -> CPUPoolListing? {
        if !argument.isEmpty, argument.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return UInt32(argument).flatMap { id in pools.first { $0.id == id } }
        }
        return pools.first { $0.name == argument }
    }

    private func resolvedCPUs(_ list: String, _ context: String) throws -> CPUSet {
        let count = try hostCPUCount(String(context.prefix { $0 != " " }))
        do { return try CPUList(list).resolve(cpuCount: count) } catch { throw ToolstackError("\(context): \(error)") }
    }
}
