// SPDX-License-Identifier: Apache-2.0
/// A set of physical CPU numbers: a vCPU's affinity, a CPU pool's CPUs, Xen's cpumap bitmaps.
public struct CPUSet: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The CPU numbers, ascending and without repeats.
    public private(set) var cpus: [Int]

    public init<S: Sequence>(_ cpus: S) where S.Element == Int {
        self.cpus = Array(Set(cpus.filter { $0 >= 0 })).sorted()
    }

    /// CPUs `0..<count`.
    public static func first(_ count: Int) -> CPUSet { CPUSet(0..<max(count, 0)) }

    /// The CPUs whose bits are set in a Xen cpumap (bit `n % 8` of byte `n / 8` is CPU `n`).
    public init(bitmap: [UInt8]) {
        var cpus: [Int] = []
        for (index, byte) in bitmap.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (1 << bit) != 0 { cpus.append(index * 8 + bit) }
        }
        self.cpus = cpus
    }

    /// The Xen cpumap of `bytes` bytes; CPUs beyond it are left out.
    public func bitmap(bytes: Int) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: max(bytes, 0))
        for cpu in cpus where cpu / 8 < map.count { map[cpu / 8] |= UInt8(1 << (cpu % 8)) }
        return map
    }

    public var isEmpty: Bool { cpus.isEmpty }
    public var count: Int { cpus.count }
    public func contains(_ cpu: Int) -> Bool { cpus.contains(cpu) }
    public func union(_ other: CPUSet) -> CPUSet { CPUSet(cpus + other.cpus) }
    public func intersection(_ other: CPUSet) -> CPUSet { CPUSet(cpus.filter(other.contains)) }
    public func subtracting(_ other: CPUSet) -> CPUSet { CPUSet(cpus.filter { !other.contains($0) }) }
    public func isSubset(of other: CPUSet) -> Bool { cpus.allSatisfy(other.contains) }

    /// Ranges as upstream's xl prints a cpumap: `0-3,6,8-9`; empty for no CPU.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < cpus.count {
            var end = index
            while end + 1 < cpus.count, cpus[end + 1] == cpus[end] + 1 { end += 1 }
            parts.append(end == index ? "\(cpus[index])" : "\(cpus[index])-\(cpus[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
