// swift-tools-version: 5.4
// SPDX-License-Identifier: Apache-2.0
// 5.4, not 6.0: from 5.5 on, SwiftPM links every executable with `--defsym main=<module>_main` (so tests can link
// executables), and a fuzzer has no main of its own; libFuzzer's main calls LLVMFuzzerTestOneInput.
import PackageDescription

// libFuzzer targets for xl-swift's parsers and checks (Docs/fuzzing.md). They link only with the fuzzer sanitizer:
// build and run them with Scripts/fuzz.sh, or `swift build -c release --package-path Fuzz --sanitize=fuzzer
// --sanitize=address`.
let xl = "xl-swift"

func fuzzer(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)", dependencies: products.map { .product(name: $0, package: xl) },
        swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "xl-swift-fuzz",
    dependencies: [.package(name: xl, path: "..")],
    targets: [
        fuzzer("config", ["XLConfig"]),
        fuzzer("static-shm", ["XLConfig"]),
        fuzzer("device-spec", ["XLConfig", "XenTypes"]),
        fuzzer("overlay", ["DeviceTree", "Toolstack", "XenSimulator", "XenStoreClient", "XenTypes"]),
        fuzzer("partial-tree", ["Toolstack"]),
        fuzzer("host-tree", ["DeviceTree", "XenTypes"]),
        fuzzer("guest-overlay", ["DeviceTree", "XenSimulator"]),
        fuzzer("handoff", ["OverlayHandoff", "XenControl", "XenStoreClient", "XenTypes"]),
    ]
)
