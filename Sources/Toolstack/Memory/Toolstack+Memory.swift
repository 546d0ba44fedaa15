// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// The least memory target dom0 may get (`LIBXL_MIN_DOM0_MEM`).
    static let minimumDom0TargetKiB: UInt64 = 128 * 1024

    /// `xl mem-max DOMAIN SIZE`: the most memory the domain may hold (`XEN_DOMCTL_max_mem` of SIZE plus libxl's
    /// slack, and `memory/static-max`), as `libxl_domain_setmaxmem`. A size below the balloon target is refused.
    public func setMaxMemory(_ argument: String, size text: String) throws {
        let context = "mem-max \(argument) \(text)"
        guard let size = MemorySize(text) else { throw ToolstackError("\(context): not a memory size: \(MemorySize.syntax)") }
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(context): \(error.message)") }
        let memory = try memoryNodes(info, context)
        guard size.kib >= memory.target else {
            throw ToolstackError("\(context): below the domain's memory target of \(memory.target) KiB (xl mem-set it lower first)")
        }
        let home = "/local/domain/\(info.id)"
        if dryRun { return output("dry run: would set domain \(info.id)'s maximum to \(size.kib + Self.maxMemorySlackKiB) KiB and \(home)/memory/static-max = \(size.kib)") }
        let control = try domainControl(context)
        do throws(HypervisorError) { try control.setMaxMemory(info.id, kib: size.kib + Self.maxMemorySlackKiB) } catch {
            throw ToolstackError("\(context): \(error.returned)")
        }
        do throws(XenStoreError) { try xenstore.write(home + "/memory/static-max", string: String(size.kib)) } catch {
            try? control.setMaxMemory(info.id, kib: info.maxMemoryKiB)
            throw ToolstackError("\(context): cannot write \(home)/memory/static-max: \(error.errno)")
        }
    }

    /// `xl mem-set DOMAIN SIZE`: the guest's balloon target (`memory/target`, and `/vm/UUID/memory` in MiB), with the
    /// domain's maximum moved to it, as `libxl_set_memory_target` with `enforce`. A target above `memory/static-max`
    /// is refused, and so is one below 128 MiB for dom0. The maximum is put back when xenstore cannot be written.
    public func setMemoryTarget(_ argument: String, size text: String) throws {
        let context = "mem-set \(argument) \(text)"
        guard let size = MemorySize(text) else { throw ToolstackError("\(context): not a memory size: \(MemorySize.syntax)") }
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("\(context): \(error.message)") }
        let memory = try memoryNodes(info, context)
        let target = size.kib > memory.videoram ? size.kib - memory.videoram : 0
        guard target <= memory.staticMax else {
            throw ToolstackError("\(context): above the domain's maximum of \(memory.staticMax) KiB (xl mem-max it higher first)")
        }
        if info.id == .dom0, target < Self.minimumDom0TargetKiB {
            throw ToolstackError("\(context): dom0 needs at least \(Self.minimumDom0TargetKiB) KiB")
        }
        let home = "/local/domain/\(info.id)"
        let maximum = target + memory.videoram + Self.maxMemorySlackKiB
        if dryRun { return output("dry run: would set domain \(info.id)'s maximum to \(maximum) KiB and \(home)/memory/target = \(target)") }
        let control = try domainControl(context)
        do throws(HypervisorError) { try control.setMaxMemory(info.id, kib: maximum) } catch {
            throw ToolstackError("\(context): \(error.returned)")
        }
        do {
            try xenstore.transaction { tx in
                if memory.fillDom0 {
                    try xenstore.write(home + "/memory/static-max", string: String(memory.staticMax), in: tx)
                }
                try xenstore.write(home + "/memory/target", string: String(target), in: tx)
                if let vm = try xenstore.readString(home + "/vm", in: tx).flatMap(Self.vmPath), try xenstore.exists(vm, in: tx) {
                    try xenstore.write(vm + "/memory", string: String(target / 1024), in: tx)
                }
            }
        } catch {
            try? control.setMaxMemory(info.id, kib: info.maxMemoryKiB)
            let reason = (error as? XenStoreError).map { "\($0.errno)" } ?? "\(error)"
            throw ToolstackError("\(context): cannot write \(home)/memory/target: \(reason)")
        }
    }

    /// A domain's `memory/target`, `memory/static-max` and `memory/videoram`, which its guest may write: each must be
    /// a decimal number. dom0 without them gets its current and maximum memory, as `libxl__fill_dom0_memory_info`.
    private func memoryNodes(_ info: DomainInfo, _ context: String) throws -> (target: UInt64, staticMax: UInt64, videoram: UInt64, fillDom0: Bool) {
        let home = "/local/domain/\(info.id)/memory"
        func value(_ name: String) throws -> UInt64? {
            let bytes: [UInt8]
            do throws(XenStoreError) { bytes = try xenstore.read("\(home)/\(name)", in: nil) } catch {
                if error.errno == .ENOENT { return nil }
                throw ToolstackError("\(context): cannot read \(home)/\(name): \(error.errno)")
            }
            guard let number = GuestWrittenValue.unsigned(bytes, maxDigits: 16) else {
                throw ToolstackError("\(context): \(home)/\(name) is not a number of KiB: \"\(GuestWrittenValue.shown(bytes))\"")
            }
            return number
        }
        let target = try value("target"), staticMax = try value("static-max"), videoram = try value("videoram") ?? 0
        if let target, let staticMax { return (target, staticMax, videoram, false) }
        guard info.id == .dom0 else {
            let missing = target == nil ? "target" : "static-max"
            throw ToolstackError("\(context): \(home)/\(missing) does not exist: the domain's memory is not managed through xenstore")
        }
        return (target ?? info.memoryKiB, staticMax ?? info.maxMemoryKiB, videoram, true)
    }

    private func domainControl(_ context: String) throws -> any DomainControl {
        guard let control = hypervisor as? any DomainControl else {
            throw ToolstackError("\(context): this hypervisor backend cannot control domains")
        }
        return control
    }
}
