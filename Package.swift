// swift-tools-version: 6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "xl-swift",
    products: [
        .executable(name: "xl", targets: ["xl"]),
        .executable(name: "init-dom0less", targets: ["init-dom0less"]),
        .executable(name: "get_overlay", targets: ["get_overlay"]),
        // The libraries the fuzzers in Fuzz/ call (see Docs/fuzzing.md).
        .library(name: "XenTypes", targets: ["XenTypes"]),
        .library(name: "DeviceTree", targets: ["DeviceTree"]),
        .library(name: "XLConfig", targets: ["XLConfig"]),
        .library(name: "XenControl", targets: ["XenControl"]),
        .library(name: "XenStoreClient", targets: ["XenStoreClient"]),
        .library(name: "OverlayHandoff", targets: ["OverlayHandoff"]),
        .library(name: "XenSimulator", targets: ["XenSimulator"]),
        .library(name: "Toolstack", targets: ["Toolstack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, reached only through XenSys.
        .systemLibrary(name: "CFdt", path: "Sources/CFdt", providers: [.apt(["libfdt-dev"])]),
        .systemLibrary(name: "CXen", path: "Sources/CXen", providers: [.apt(["libxen-dev"])]),

        // Plain value types shared by every layer (errno, domain ids, Xen versions).
        .target(name: "XenTypes"),
        // The one Swift target that calls C: libfdt, libxencall/libxenctrl, libxenstore.
        .target(name: "XenSys", dependencies: ["CFdt", "CXen", "XenTypes"]),

        // Swift libraries over XenSys.
        .target(name: "DeviceTree", dependencies: ["XenSys", "XenTypes"]),
        .target(name: "XenControl", dependencies: ["XenSys", "XenTypes"]),
        .target(name: "XenStoreClient", dependencies: ["XenSys", "XenTypes"]),

        // The xl domain configuration language (xl.cfg) and the typed domain configuration.
        .target(name: "XLConfig", dependencies: ["XenTypes"]),

        // The simulated ARM64 Xen host behind the same seams.
        .target(name: "XenSimulator", dependencies: ["DeviceTree", "XenControl", "XenStoreClient", "XenTypes"]),
        // The overlay hand-off between dom0 and a domU over xenstore and grant pages: both halves.
        .target(name: "OverlayHandoff", dependencies: ["DeviceTree", "XenControl", "XenStoreClient", "XenTypes"]),
        // Toolstack logic, written against the protocols only.
        .target(name: "Toolstack", dependencies: ["DeviceTree", "OverlayHandoff", "XLConfig", "XenControl", "XenStoreClient", "XenTypes"]),
        // Command-line layer: argument parsing, backend selection, exit codes.
        .target(name: "XLCommands", dependencies: [
            "OverlayHandoff", "Toolstack", "XenSimulator", "XenSys",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "xl", dependencies: ["XLCommands"]),
        .executableTarget(name: "init-dom0less", dependencies: ["XLCommands"]),
        .executableTarget(name: "get_overlay", dependencies: ["XLCommands"]),

        // Test support: the real xenstored harness, dtc helpers.
        .target(name: "TestSupport", dependencies: ["XenTypes", "XenStoreClient", "XenSimulator", "DeviceTree"], path: "Tests/TestSupport",
                resources: [.copy("fakexen.c"), .copy("fakexen-bridge.c"), .copy("libxl-record.c")]),

        // libxlutil, the C config parser, used only as a test oracle.
        .systemLibrary(name: "CXLUtil", path: "Tests/CXLUtil", providers: [.apt(["libxen-dev"])]),
        .testTarget(name: "XLConfigTests", dependencies: ["XLConfig", "CXLUtil", "TestSupport"]),
        .testTarget(name: "DeviceTreeTests", dependencies: ["DeviceTree", "TestSupport"]),
        .testTarget(name: "XenControlTests", dependencies: ["XenControl"]),
        .testTarget(name: "XenStoreClientTests", dependencies: ["XenStoreClient", "XenSimulator", "TestSupport"]),
        .testTarget(name: "XenSimulatorTests", dependencies: ["XenSimulator", "TestSupport"]),
        .testTarget(name: "OverlayHandoffTests", dependencies: ["OverlayHandoff", "XenSimulator", "XenStoreClient", "XenControl", "TestSupport"]),
        .testTarget(name: "XLCommandsTests", dependencies: ["XLCommands", "Toolstack", "XenSimulator", "TestSupport"]),
        .testTarget(name: "InitDom0lessTests", dependencies: ["XLCommands", "Toolstack", "XenSimulator", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
