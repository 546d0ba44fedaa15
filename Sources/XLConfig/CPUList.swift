// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// A list of physical CPUs in xl's syntax, as `vcpu-pin`, `cpupool-cpu-add` and the `cpus=` keys take it:
/// comma-separated items, each `all`, a CPU `N`, a range `N-M`, or `nodes:N` / `nodes:N-M` (every CPU of those
/// NUMA nodes; `node:` also reads), and any of these but `all` after `^` to take CPUs out again. Items apply from
/// left to right to an empty set: `0-5,^3` is 0, 1, 2, 4 and 5.
///
/// Unlike upstream's xl, which drops CPUs the host does not have without a word, a CPU or node past the host's
/// is an error that names it, and so is a list that leaves no CPU.
public struct CPUList: Hashable, Sendable {
    /// Most bytes a list may have, and most items.
    public static let maximumLength = 4096
    public static let maximumItems = 1024

    public let text: String

    public init(_ text: String) { self.text = text }

    /// The CPUs of the list on a host with CPUs `0..<cpuCount`, whose NUMA node `n` has `nodes[n]`.
    /// `allowEmpty` lets a list that takes every CPU out stand (a `^` list on its own is empty).
    public func resolve(cpuCount: Int, nodes: [CPUSet]? = nil, allowEmpty: Bool = false) throws(CPUListError) -> CPUSet {
        guard !text.isEmpty else { throw CPUListError(text, "an empty list; \(Self.syntax)") }
        guard text.utf8.count <= Self.maximumLength else { throw CPUListError(text, "longer than \(Self.maximumLength) bytes") }
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= Self.maximumItems else { throw CPUListError(text, "more than \(Self.maximumItems) items") }
        let nodeCPUs = nodes ?? [CPUSet.first(cpuCount)]
        var set = Set<Int>()
        for raw in items {
            var item = Substring(raw)
            let remove = item.hasPrefix("^")
            if remove { item = item.dropFirst() }
            var byNode = false
            for prefix in ["nodes:", "node:"] where item.hasPrefix(prefix) {
                item = item.dropFirst(prefix.count)
                byNode = true
                break
            }
            if item == "all" {
                guard !remove else { throw CPUListError(text, "\"^\" cannot go with \"all\"") }
                set.formUnion(0..<cpuCount)
                continue
            }
            guard let range = Self.range(item) else {
                throw CPUListError(text, "\(String(raw).debugDescription) is not a CPU, a range N-M, nodes:N or all; \(Self.syntax)")
            }
            let limit = byNode ? nodeCPUs.count : cpuCount
            guard range.upperBound < limit else {
                let what = byNode ? "node" : "CPU"
                let allowed = limit == 1 ? "only \(what) 0" : "\(what)s 0 to \(limit - 1)"
                throw CPUListError(text, "\(what) \(max(range.lowerBound, limit)) does not exist: this host has \(allowed)")
            }
            let cpus = byNode ? range.flatMap { nodeCPUs[$0].cpus } : Array(range)
            if remove { set.subtract(cpus) } else { set.formUnion(cpus) }
        }
        guard allowEmpty || !set.isEmpty else { throw CPUListError(text, "leaves no CPU") }
        return CPUSet(set)
    }

    /// What a list may hold, for error messages.
    public static let syntax = "a list is items such as 3, 2-5, ^4, nodes:0 or all, separated by commas"

    /// `N` or `N-M` with `N <= M`, decimal digits only.
    private static func range(_ item: Substring) -> ClosedRange<Int>? {
        let parts = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = number(parts[0]) else { return nil }
        guard parts.count == 2 else { return low...low }
        guard let high = number(parts[1]), high >= low else { return nil }
        return low...high
    }

    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}

/// A CPU list that cannot be read or names CPUs the host does not have.
public struct CPUListError: Error, Hashable, Sendable, CustomStringConvertible {
    public let list: String
    public let reason: String

    public init(_ list: String, _ reason: String) {
        self.list = list
        self.reason = reason
    }

    /// `cpu-list "LIST": REASON`.
    public var description: String { "cpu-list \(list.debugDescription): \(reason)" }
}
