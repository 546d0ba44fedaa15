// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

/// One row of `xl vcpu-list`: a vCPU of a domain, what Xen says of it, and its affinities.
public struct VCPUListing: Hashable, Sendable {
    public var name: String
    public var domain: DomainID
    public var vcpu: Int
    public var info: VCPUInfo
    public var affinity: VCPUAffinity
}

/// The vCPUs `xl vcpu-pin` changes: one, or every vCPU of the domain.
public enum VCPUSelection: Hashable, Sendable {
    case one(Int)
    case all

    /// `all` or a vCPU number, as upstream reads its VCPU argument; nil for anything else.
    public init?(_ text: String) {
        if text == "all" {
            self = .all
        } else if !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(text) {
            self = .one(number)
        } else {
            return nil
        }
    }
}

extension Toolstack {
    /// `xl vcpu-list [DOMAIN ...]`: every vCPU of the named domains (of every domain without one), and the number of
    /// CPU bits an affinity is printed over (`max_cpu_id + 1`).
    public func vcpuList(_ arguments: [String]) throws -> (rows: [VCPUListing], cpuBits: Int) {
        let control = try cpuControl("vcpu-list")
        let cpuBits = try hostCPUCount("vcpu-list")
        let domains: [DomainInfo]
        if arguments.isEmpty {
            do { domains = try hypervisor.domains() } catch { throw ToolstackError("vcpu-list: cannot list domains: \(error.returned)") }
        } else {
            domains = try arguments.map { argument in
                do { return try findDomain(argument) } catch let error as ToolstackError {
                    throw ToolstackError("vcpu-list \(argument): \(error.message)")
                }
            }
        }
        var rows: [VCPUListing] = []
        for domain in domains {
            let name = try domainName(domain.id) ?? "(null)"
            for vcpu in 0...max(domain.maxVCPUID, 0) {
                do throws(HypervisorError) {
                    let info = try control.vcpuInfo(domain.id, vcpu: UInt32(vcpu))
                    let affinity = try control.vcpuAffinity(domain.id, vcpu: UInt32(vcpu))
                    rows.append(VCPUListing(name: name, domain: domain.id, vcpu: vcpu, info: info, affinity: affinity))
                } catch where error.errno == .ESRCH {
                    break  // the domain went away while it was listed
                } catch {
                    throw ToolstackError("vcpu-list: vCPU \(vcpu) of domain \(domain.id): \(error.returned)")
                }
            }
        }
        return (rows, cpuBits)
    }

    /// `xl vcpu-pin [-f] DOMAIN VCPU|all HARD [SOFT]`: sets the hard affinity (`-` leaves it) and, when given, the
    /// soft one. Every list and the vCPU are checked before anything changes, and a failure part way through `all`
    /// puts back the vCPUs already changed. A dry run prints upstream's `cpumap: HARD [SOFT]` line.
    public func pinVCPU(_ argument: String, vcpu vcpuText: String, hard hardText: String, soft softText: String?, force: Bool) throws {
        let context = "vcpu-pin \(argument) \(vcpuText)"
        guard let selection = VCPUSelection(vcpuText) else {
            throw ToolstackError("\(context): the vCPU must be a number or all")
        }
        if force, selection == .all { throw ToolstackError("\(context): -f applies to one vCPU, not to all") }
        let cpuCount = try hostCPUCount("vcpu-pin")
        func cpus(_ text: String?, _ which: String) throws -> CPUSet? {
            guard let text, text != "-" else { return nil }
            do { return try CPUList(text).resolve(cpuCount: cpuCount) } catch {
                throw ToolstackError("\(context): \(which) affinity: \(error)")
            }
        }
        let hard = try cpus(hardText, "hard"), soft = try cpus(softText, "soft")
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(context): \(error.message)") }
        let control = try cpuControl("vcpu-pin")
        let vcpus: [Int]
        switch selection {
        case .all: vcpus = Array(0...max(info.maxVCPUID, 0))
        case .one(let number):
            guard number <= info.maxVCPUID else {
                throw ToolstackError("\(context): domain \(info.id) has vCPUs 0 to \(info.maxVCPUID)")
            }
            vcpus = [number]
        }
        if dryRun {
            var line = "cpumap: " + (hard.map { Self.bitmapText($0, bits: cpuCount) } ?? "-")
            if let soft { line += " " + Self.bitmapText(soft, bits: cpuCount) }
            return output(line)
        }
        guard hard != nil || soft != nil else { return }
        var changed: [(Int, VCPUAffinity)] = []
        for vcpu in vcpus {
            do throws(HypervisorError) {
                let before = try control.vcpuAffinity(info.id, vcpu: UInt32(vcpu))
                let now = try control.setVCPUAffinity(info.id, vcpu: UInt32(vcpu), hard: hard, soft: soft, force: force)
                changed.append((vcpu, before))
                if soft != nil, now.soft.isEmpty {
                    log("vcpu-pin: vCPU \(vcpu) of domain \(info.id): no CPU of the soft affinity is in the hard one and the pool, so Xen ignores it")
                }
            } catch {
                for (done, before) in changed.reversed() {
                    _ = try? control.setVCPUAffinity(info.id, vcpu: UInt32(done), hard: before.hard, soft: before.soft, force: false)
                }
                let hint = error.errno == .EINVAL && hard != nil
                    ? ": the hard affinity has no CPU of the domain's cpupool (xl cpupool-list -c)" : ""
                throw ToolstackError("\(context): vCPU \(vcpu): \(error.returned)\(hint)")
            }
        }
    }

    /// `xl vcpu-set [-i] DOMAIN COUNT`: asks the guest to run vCPUs `0..<COUNT` (`cpu/N/availability`, `online` or
    /// `offline` for each vCPU, in one transaction, as libxl does for a PV or PVH guest). Without `-i`
    /// (`checkHost`), more vCPUs than the host has CPUs are refused, as upstream.
    public func setVCPUCount(_ argument: String, count countText: String, checkHost: Bool) throws {
        let context = "vcpu-set \(argument) \(countText)"
        guard !countText.isEmpty, countText.count <= 5, countText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let count = Int(countText) else {
            throw ToolstackError("\(context): the count must be a number of vCPUs")
        }
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(context): \(error.message)") }
        guard count > 0 else { throw ToolstackError("\(context): a domain needs at least one vCPU") }
        guard count <= info.maxVCPUID + 1 else {
            let most = info.maxVCPUID + 1
            throw ToolstackError("\(context): domain \(info.id) can have at most \(most) vCPU\(most == 1 ? "" : "s") (maxvcpus in its config)")
        }
        if checkHost {
            let host = try hostCPUCount("vcpu-set")
            if count > info.vcpus, count > host {
                throw ToolstackError("\(context): the host has \(host) CPUs; more vCPUs overcommit it (vcpu-set -i allows that)")
            }
        }
        let home = "/local/domain/\(info.id)"
        if dryRun { return output("dry run: would set \(home)/cpu/0-\(info.maxVCPUID)/availability: vCPUs 0 to \(count - 1) online") }
        do {
            try xenstore.transaction { tx in
                guard try xenstore.exists(home, in: tx) else { throw ToolstackError("\(context): \(home) does not exist") }
                for vcpu in 0...info.maxVCPUID {
                    try xenstore.write("\(home)/cpu/\(vcpu)/availability", string: vcpu < count ? "online" : "offline", in: tx)
                }
            }
        } catch let error as ToolstackError {
            throw error
        } catch let error as XenStoreError {
            throw ToolstackError("\(context): cannot write \(home)/cpu: \(error.errno)")
        }
    }

    /// The CPUs the host has, `max_cpu_id + 1` (what upstream sizes every cpumap by).
    func hostCPUCount(_ command: String) throws -> Int {
        let host = try hostInformation(command)
        do throws(HypervisorError) { return Int(try host.physicalInfo().maxCPUID) + 1 } catch {
            throw ToolstackError("\(command): \(error.returned)")
        }
    }

    /// The vCPU and cpupool calls of the backend.
    func cpuControl(_ command: String) throws -> any CPUControl {
        guard let control = hypervisor as? any CPUControl else {
            throw ToolstackError("\(command): this hypervisor backend has no vCPU or cpupool calls")
        }
        return control
    }

    /// A cpumap as upstream's `print_bitmap` shows it over `bits` CPUs: `all` when every one is set, `none` when
    /// none is, else ranges (`0-2,5`).
    public static func bitmapText(_ set: CPUSet, bits: Int) -> String {
        let shown = set.intersection(.first(bits))
        if shown.isEmpty { return "none" }
        if shown.count == bits { return "all" }
        return shown.description
    }
}
