// SPDX-License-Identifier: Apache-2.0
import XLConfig

/// libFuzzer entry: each line of the input is one `SSHM_SPEC`, given to `static_shm = [ ... ]` of an otherwise
/// valid config (every byte escaped as `\xHH`, so the spec reaches its parser as written), then read as the typed
/// domain configuration (each spec, then ids and overlaps across specs) and encoded as libxl JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStaticSharedMemory(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let specs = UnsafeBufferPointer(start: data, count: size).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let digits = Array("0123456789abcdef".utf8)
    var text = Array("name = \"fuzz\"\nkernel = \"/boot/Image\"\nmemory = 512\nstatic_shm = [ ".utf8)
    for (index, spec) in specs.enumerated() {
        if index > 0 { text += Array(", ".utf8) }
        text.append(UInt8(ascii: "\""))
        for byte in spec { text += [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        text.append(UInt8(ascii: "\""))
    }
    text += Array(" ]\n".utf8)
    guard let file = try? ConfigFile(parsing: text, source: "fuzz.cfg"), let domain = try? DomainConfig(file: file) else { return 0 }
    _ = try? domain.libxlJSON(pretty: false)
    return 0
}
