// SPDX-License-Identifier: Apache-2.0
import Toolstack

/// libFuzzer entry: the input is the partial device tree of `device_tree=` in `xl create`, checked as `xl create`
/// checks it before it builds the guest's tree (`PartialDeviceTree`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartialTree(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PartialDeviceTree(path: "fuzz.dtb", blob: Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
