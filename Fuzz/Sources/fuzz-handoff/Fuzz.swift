// SPDX-License-Identifier: Apache-2.0
import OverlayHandoff
import XenControl
import XenStoreClient
import XenTypes

/// libFuzzer entry: dom0's half of the overlay hand-off (`OverlaySender`, as normal-mode `xl dt-overlay add|remove`
/// runs it) against a guest whose every answer comes from the input: what it writes into `receiver-status`,
/// `receiver-request`, `page-refs` and `receiver-error`, step by step ([GuestScript]). The first byte picks add
/// (with an overlay of 1 to 4 pages) or remove. Every answer must end in success or a thrown error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandoff(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let guest: DomainID = 5
    let database = XenStoreDatabase()
    let dom0 = InMemoryXenStore(database: database, caller: .dom0)
    do {
        try dom0.mkdir("/local/domain/5", in: nil)
        try dom0.setPermissions("/local/domain/5", [XenStorePermission(.none, .dom0), XenStorePermission(.read, guest)], in: nil)
        try dom0.write("/local/domain/5/data", string: "")
        try dom0.setPermissions("/local/domain/5/data", [XenStorePermission(.none, guest)], in: nil)
    } catch {
        fatalError("the fuzzer's xenstore could not be set up: \(error)")
    }
    let script = GuestScript(input.dropFirst(), store: InMemoryXenStore(database: database, caller: guest))
    let store = ScriptedGuestXenStore(dom0, guest: script)
    guard let request = try? GuestOverlayRequest(name: "fuzz", type: "normal", partial: "0"),
        let sender = try? OverlaySender(xenstore: store, domain: guest, request: request, timeout: 1)
    else { return 0 }
    defer { sender.finish() }
    do {
        if mode & 1 == 0 {
            let pages = Int(mode >> 1 & 3) + 1
            try sender.deliver([UInt8](repeating: 0xd0, count: pages * GrantPage.size - 100), mapper: { FakeGrantMapper() })
            try sender.commit()
        } else {
            try sender.remove()
        }
    } catch {
        sender.abort("\(error)")
    }
    return 0
}
