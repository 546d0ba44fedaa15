// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenTypes

/// libFuzzer entry: the input is a vif or disk spec (or, split at NUL bytes, the several disk specs of
/// `xl block-attach`). Both parsers and the rate parser read it; every failure must be a thrown error, and what
/// they accept must come back unchanged from the libxl record `xl create` keeps. The same text is also read as a
/// cpu-list (`vcpu-pin`, `cpupool-cpu-add`) on an 8-CPU host of two nodes and as a size (`mem-set`): a list may
/// resolve only to CPUs of that host, never to none, and a size never past 2^53 KiB.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeviceSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let spec = String(decoding: bytes, as: UTF8.self)
    let specs = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    var config = DomainConfig(name: "g", kernel: "/k")
    if let disk = try? Disk(spec: spec) { config.disks.append(disk) }
    if let disk = try? Disk(specs: specs) { config.disks.append(disk) }
    var warnings: [String] = []
    if var nic = try? NetworkInterface(spec: spec, warnings: &warnings) {
        nic.devid = nic.devid ?? 0
        config.nics.append(nic)
    }
    _ = try? NetworkRate(parsing: spec)
    checkCPUListAndSize(spec)
    guard !config.disks.isEmpty || !config.nics.isEmpty else { return 0 }
    guard let back = try? DomainConfig(libxlRecord: config.libxlJSON(pretty: false)), back.disks == config.disks, back.nics == config.nics else {
        fatalError("the libxl record of \(spec.debugDescription) does not read back as the same devices")
    }
    return 0
}

private func checkCPUListAndSize(_ text: String) {
    let nodes = [CPUSet(0..<4), CPUSet(4..<8)]
    if let cpus = try? CPUList(text).resolve(cpuCount: 8, nodes: nodes), cpus.isEmpty || cpus.cpus.contains(where: { !(0..<8).contains($0) }) {
        fatalError("cpu-list \(text.debugDescription) resolved to \(cpus) on an 8-CPU host")
    }
    if let size = MemorySize(text), size.kib > UInt64(1) << 53 {
        fatalError("size \(text.debugDescription) read as \(size.kib) KiB")
    }
}
