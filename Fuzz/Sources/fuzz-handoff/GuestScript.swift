// SPDX-License-Identifier: Apache-2.0
import XenStoreClient

/// What the fuzzed guest writes, step by step, as its own domain. The input is a list of writes separated by NUL
/// bytes; each write's first byte picks the node (`s` `receiver-status`, `r` `receiver-request`, `p` `page-refs`,
/// `e` `receiver-error`) or, for any other byte, ends the step. The rest is the value, except that `$id` stands for
/// dom0's request id and `$refs` for as many grant references as dom0 asked pages for (those `FakeGrantMapper` maps).
final class GuestScript {
    private var steps: [[(node: String, value: [UInt8])]] = []
    private let store: InMemoryXenStore
    static let nodes: [UInt8: String] = [
        UInt8(ascii: "s"): "receiver-status", UInt8(ascii: "r"): "receiver-request",
        UInt8(ascii: "p"): "page-refs", UInt8(ascii: "e"): "receiver-error",
    ]

    init(_ input: ArraySlice<UInt8>, store: InMemoryXenStore) {
        self.store = store
        var step: [(node: String, value: [UInt8])] = []
        for write in input.split(separator: 0, omittingEmptySubsequences: false) {
            guard let selector = write.first, let node = Self.nodes[selector] else {
                steps.append(step)
                step = []
                continue
            }
            step.append((node, Array(write.dropFirst())))
        }
        steps.append(step)
    }

    /// Writes the next step's values in one transaction; `false` once the script is over.
    func runStep() -> Bool {
        guard !steps.isEmpty else { return false }
        let step = steps.removeFirst()
        let id = (try? store.read("data/overlay/request", in: nil)) ?? []
        let pages = (try? store.readString("data/overlay/overlay-pages")).flatMap { $0 }.flatMap { Int($0) } ?? 1
        let refs = Array(FakeGrantMapper.references(count: min(max(pages, 1), 200)).map { "\($0)," }.joined().utf8)
        try? store.transaction { tx in
            for (node, value) in step {
                let expanded = value == Array("$id".utf8) ? id : value == Array("$refs".utf8) ? refs : value
                try store.write("data/overlay/\(node)", expanded, in: tx)
            }
        }
        return true
    }
}
