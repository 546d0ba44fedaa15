// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenSimulator

/// The simulator's default host tree, against which host interrupt controllers are checked.
let hostTree = try! DefaultHostTree.make()

/// libFuzzer entry: the input is a dtbo; once it is a valid overlay, normal mode's guest copy is made of it
/// (`GuestOverlay.rewrite`), without and with the host tree, and the copy is read back as an overlay.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGuestOverlay(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tree = try? DeviceTree(validating: Array(UnsafeBufferPointer(start: data, count: size))),
        let overlay = try? Overlay(tree)
    else { return 0 }
    for host in [nil, hostTree] {
        guard let copy = try? GuestOverlay.rewrite(overlay, host: host) else { continue }
        _ = try? Overlay(copy)
    }
    return 0
}
