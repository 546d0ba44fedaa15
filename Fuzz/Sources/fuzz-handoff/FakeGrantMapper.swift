// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// dom0's grant mapper for the fuzzed guest: it maps references 8, 9, 10, … (the ones the script's `$refs` gives),
/// each at most once per mapping, and refuses any other with `EINVAL`, as libxengnttab refuses a reference the
/// domain did not grant.
final class FakeGrantMapper: GrantMapper {
    static func references(count: Int) -> [UInt32] { (0..<UInt32(count)).map { 8 + $0 } }

    func map(_ refs: [UInt32], from domain: DomainID, writable: Bool) throws(GrantError) -> GrantedPages {
        guard !refs.isEmpty, Set(refs).count == refs.count, refs.allSatisfy({ (8..<208).contains($0) }) else {
            throw GrantError("map", errno: .EINVAL)
        }
        return Pages(refs)
    }

    /// Pages allocated for one mapping.
    final class Pages: GrantedPages {
        let references: [UInt32]
        let memory: UnsafeMutableRawBufferPointer
        private var released = false

        init(_ references: [UInt32]) {
            self.references = references
            memory = .allocate(byteCount: references.count * GrantPage.size, alignment: GrantPage.size)
        }

        func release() throws(GrantError) {
            guard !released else { return }
            released = true
            memory.deallocate()
        }

        deinit { try? release() }
    }
}
