// SPDX-License-Identifier: Apache-2.0
import XLConfig

/// libFuzzer entry: the input is an xl.cfg file, then, after each NUL byte, one `KEY=VALUE` command-line override.
/// It is parsed, the overrides applied, read as the typed domain configuration and encoded as libxl JSON, as
/// `xl create` does; every failure must be a thrown error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    let file = parts.first.map(Array.init) ?? []
    let overrides = parts.dropFirst().map { String(decoding: $0, as: UTF8.self) }
    guard var config = try? ConfigFile(parsing: file, source: "fuzz.cfg") else { return 0 }
    guard (try? config.applyOverrides(overrides)) != nil, let domain = try? DomainConfig(file: config) else { return 0 }
    _ = try? domain.libxlJSON(pretty: false)
    return 0
}
