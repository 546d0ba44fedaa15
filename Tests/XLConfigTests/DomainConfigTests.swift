// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLConfig

/// The typed domain configuration: good configs, and the exact one-line message for each bad value.
final class DomainConfigTests: XCTestCase {
    static let base = "name = \"g\"\nkernel = \"/boot/Image\"\n"

    private func config(_ extra: String, overrides: [String] = []) throws -> DomainConfig {
        var file = try ConfigFile(parsing: Self.base + extra, source: "g.cfg")
        try file.applyOverrides(overrides)
        return try DomainConfig(file: file)
    }

    func testSeedPassthroughConfig() throws {
        let file = try ConfigFile(parsing: HandWrittenCorpus.armPassthrough, source: "midway.cfg")
        let config = try DomainConfig(file: file)
        XCTAssertEqual(config.name, "midway-guest")
        XCTAssertEqual(config.memoryMiB, 512)
        XCTAssertEqual(config.deviceTree, "/root/guest-midway.dtb")
        XCTAssertEqual(config.dtdevs, ["/soc/ethernet@fff51000"])
        XCTAssertEqual(config.irqs, [112, 113, 114])
        XCTAssertEqual(config.iomem, [IOMemRange(start: 0xfff51, number: 1, gfn: 0x10000)])
        XCTAssertEqual(config.passthrough, .sharePT)
        XCTAssertEqual(config.locations["irqs"], "midway.cfg:8:1")
        XCTAssertEqual(config.unknownKeys, [])
    }

    func testZynqConfigAndUnknownKeys() throws {
        let file = try ConfigFile(parsing: HandWrittenCorpus.zynqPassthrough + "\nnomigrate = 1\ndisk = []\nmemmory = 5\nzzzzzz = 1\n", source: "z.cfg")
        let config = try DomainConfig(file: file)
        XCTAssertEqual(config.cmdline, "console=hvc0 root=/dev/ram0")
        XCTAssertEqual(config.irqs, [95, 121])
        XCTAssertEqual(config.iomem, [IOMemRange(start: 0xff0e0, number: 1), IOMemRange(start: 0xfd500, number: 1)])
        XCTAssertEqual(config.gicVersion, .v2)
        XCTAssertEqual(config.vuart, .sbsaUART)
        XCTAssertEqual(config.onCrash, .preserve)
        XCTAssertEqual(config.ignoredKeys, ["nomigrate"])
        XCTAssertEqual(config.unknownKeys, ["memmory", "zzzzzz"])
        XCTAssertEqual(config.keyWarnings, [
            "z.cfg:22:1: memmory: warning: xl.cfg has no such key, it is ignored; did you mean memory?",
            "z.cfg:23:1: zzzzzz: warning: xl.cfg has no such key, it is ignored",
        ])
    }

    /// A key upstream acts on for an ARM PVH guest and this xl does not implement is refused: the guest
    /// would otherwise boot without its disk or network.
    func testKeysUpstreamActsOnAreRefused() throws {
        for (text, message) in [
            ("cpus = \"2-3\"\n", "g.cfg:3:1: cpus: this xl does not implement cpus= (hard vCPU affinity) yet, and the guest would start without it; remove the key, or create this guest with upstream's xl"),
            ("seclabel = \"a:b:c\"\n", "g.cfg:3:1: seclabel: this xl does not implement seclabel= (the XSM label) yet, and the guest would start without it; remove the key, or create this guest with upstream's xl"),
            ("vtpm = [ 'backend=0' ]\n", "g.cfg:3:1: vtpm: this xl does not implement vtpm= (virtual TPMs) yet, and the guest would start without it; remove the key, or create this guest with upstream's xl"),
        ] {
            XCTAssertThrowsError(try config(text), text) { XCTAssertEqual("\($0)", message) }
        }
        XCTAssertEqual(UpstreamKeys.nearest(to: "vcpu", among: DomainConfig.knownKeys), "vcpus")
        XCTAssertNil(UpstreamKeys.nearest(to: "colour", among: DomainConfig.knownKeys))
    }

    func testXLNumberAndCommandLineRules() throws {
        XCTAssertEqual(try config("memory = 0x200\n").memoryMiB, 512)
        XCTAssertEqual(try config("memory = \"1024\"\n").memoryMiB, 1024)
        let octal = try config("memory = 010\n")
        XCTAssertEqual(octal.memoryMiB, 8)
        XCTAssertEqual(octal.warnings, ["g.cfg:3:1: memory: warning: 010 has a leading zero, so it is octal for 8, as in xl"])
        XCTAssertEqual(try config("root = \"/dev/xvda\"\nextra = \"quiet\"\n").cmdline, "root=/dev/xvda quiet")
        XCTAssertEqual(try config("root = \"/dev/xvda\"\n").cmdline, "root=/dev/xvda")
        XCTAssertEqual(try config("extra = \"quiet\"\n").cmdline, "quiet")
        XCTAssertEqual(try config("cmdline = \"a\"\nextra = \"b\"\n").cmdline, "a")
        XCTAssertEqual(try config("extra = \"a\"\nextra += \" b\"\n").cmdline, "a b")
        XCTAssertEqual(try config("irqs = [ \"33\", 34, \" 35\" ]\n").irqs, [33, 34, 35])
        XCTAssertEqual(try config("irqs = [ 33 ]\nirqs += [ 34 ]\n").irqs, [33, 34])
        XCTAssertEqual(try config("", overrides: ["memory=64", "irqs=[40]"]).irqs, [40])
        XCTAssertEqual(try config("iomem = [ \" 0x10, 0x2@ 0x30\", \"FF,1\" ]\n").iomem,
                       [IOMemRange(start: 0x10, number: 2, gfn: 0x30), IOMemRange(start: 0xff, number: 1)])
    }

    func testTypeAndPassthroughModes() throws {
        XCTAssertEqual(try config("type = \"pvh\"\n").type, .pvh)
        let pv = try config("type = \"pv\"\n")
        XCTAssertEqual(pv.type, .pvh)
        XCTAssertEqual(pv.warnings.count, 1)
        XCTAssertEqual(try config("").passthrough, .disabled)
        XCTAssertEqual(try config("dtdev = [ \"/a\" ]\n").passthrough, .sharePT)
        XCTAssertEqual(try config("passthrough = \"enabled\"\n").passthrough, .sharePT)
        XCTAssertEqual(try config("passthrough = \"Share_PT\"\n").passthrough, .sharePT)
        XCTAssertEqual(try config("passthrough = \"disabled\"\nirqs = [ 40 ]\n").passthrough, .disabled)
        XCTAssertEqual(try config("passthrough = \"default\"\n").passthrough, .disabled)
    }

    /// Every bad value of each key, with its exact message.
    func testBadValueMessages() {
        let cases: [(String, String)] = [
            // irqs
            ("irqs = 33\n", "g.cfg:3:1: irqs: expected a list such as [ 112, 113 ], found a single value \"33\""),
            ("irqs = [ 0x20 ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found \"0x20\" (irqs are decimal: xl rejects hexadecimal here)"),
            ("irqs = [ \"\" ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found \"\""),
            ("irqs = [ \"33 \" ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found \"33 \""),
            ("irqs = [ 1e3 ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found \"1e3\""),
            ("irqs = [ 31 ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found 31 (IRQs below 32 are per-CPU and cannot be passed through)"),
            ("irqs = [ 65536 ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found 65536"),
            ("irqs = [ \"-40\" ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found -40"),
            ("irqs = [ 99999999999999999999999 ]\n", "g.cfg:3:10: irqs: expected a decimal IRQ number from 32 to 65535, found 99999999999999999999999"),
            ("irqs = [ 40, 40 ]\n", "g.cfg:3:14: irqs: IRQ 40 is listed twice"),
            ("irqs = [ 40, [ 41 ] ]\n", "g.cfg:3:14: irqs: expected single values in the list, found a nested list [\"41\"]"),
            // iomem
            ("iomem = \"0x10,1\"\n", "g.cfg:3:1: iomem: expected a list such as [ \"0xfff51,1@0x10000\" ], found a single value \"0x10,1\""),
            ("iomem = [ \"bad\" ]\n", "g.cfg:3:11: iomem: \"bad\" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ \"0x10\" ]\n", "g.cfg:3:11: iomem: \"0x10\" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ \"0x10 ,1\" ]\n", "g.cfg:3:11: iomem: \"0x10 ,1\" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ \"0x10,1@\" ]\n", "g.cfg:3:11: iomem: \"0x10,1@\" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ \"0x10,1 \" ]\n", "g.cfg:3:11: iomem: \"0x10,1 \" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ 10 ]\n", "g.cfg:3:11: iomem: \"10\" is not \"START,NUM[@GFN]\": expected hexadecimal page numbers, as in \"0xfff51,1@0x10000\""),
            ("iomem = [ \"0x,1\" ]\n", "g.cfg:3:11: iomem: \"0x,1\": expected hexadecimal digits after 0x"),
            ("iomem = [ \"-1,1\" ]\n", "g.cfg:3:11: iomem: \"-1,1\": expected unsigned page numbers, without + or -"),
            ("iomem = [ \"0x10,0\" ]\n", "g.cfg:3:11: iomem: \"0x10,0\": expected NUM of at least 1 page"),
            ("iomem = [ \"ffffffffff,2\" ]\n", "g.cfg:3:11: iomem: \"ffffffffff,2\": START + NUM must stay below page 0x10000000000 (52-bit physical addresses)"),
            ("iomem = [ \"10,2@ffffffffff\" ]\n", "g.cfg:3:11: iomem: \"10,2@ffffffffff\": GFN + NUM must stay below page 0x10000000000 (52-bit physical addresses)"),
            ("iomem = [ \"fffffffffffffffffff,1\" ]\n", "g.cfg:3:11: iomem: \"fffffffffffffffffff,1\": START + NUM must stay below page 0x10000000000 (52-bit physical addresses)"),
            // dtdev
            ("dtdev = \"/soc/eth\"\n", "g.cfg:3:1: dtdev: expected a list such as [ \"/soc/ethernet@ff0e0000\" ], found a single value \"/soc/eth\""),
            ("dtdev = [ \"soc/eth\" ]\n", "g.cfg:3:11: dtdev: expected an absolute host device-tree path of at most 4095 bytes, such as \"/soc/ethernet@ff0e0000\", found \"soc/eth\""),
            ("dtdev = [ \"\" ]\n", "g.cfg:3:11: dtdev: expected an absolute host device-tree path of at most 4095 bytes, such as \"/soc/ethernet@ff0e0000\", found \"\""),
            ("dtdev = [ \"/a\", \"/a\" ]\n", "g.cfg:3:17: dtdev: \"/a\" is listed twice"),
            ("dtdev = [ [ \"/a\" ] ]\n", "g.cfg:3:11: dtdev: expected single values in the list, found a nested list [\"/a\"]"),
            // device_tree
            ("device_tree = [ \"/x.dtb\" ]\n", "g.cfg:3:1: device_tree: expected a single value, found a list [\"/x.dtb\"]"),
            ("device_tree = \"\"\n", "g.cfg:3:1: device_tree: expected the path of a partial device tree blob, found \"\""),
            // passthrough
            ("passthrough = \"sync_pt\"\n", "g.cfg:3:1: passthrough: \"sync_pt\" is not supported on ARM: expected \"enabled\", \"share_pt\" or \"disabled\""),
            ("passthrough = \"on\"\n", "g.cfg:3:1: passthrough: expected one of \"default\", \"disabled\", \"enabled\", \"sync_pt\" or \"share_pt\", found \"on\""),
            ("passthrough = \"disabled\"\ndtdev = [ \"/a\" ]\n", "g.cfg:3:1: passthrough: \"disabled\" but dtdev lists devices: expected \"enabled\" or \"share_pt\", or no dtdev"),
            // other keys
            ("memory = \"lots\"\n", "g.cfg:3:1: memory: expected a size in MiB from 1 to 8796093022207, found \"lots\""),
            ("memory = 0\n", "g.cfg:3:1: memory: expected a size in MiB from 1 to 8796093022207, found 0"),
            ("memory = 09\n", "g.cfg:3:1: memory: expected a size in MiB from 1 to 8796093022207, found \"09\""),
            ("memory = 99999999999999999999\n", "g.cfg:3:1: memory: expected a size in MiB from 1 to 8796093022207, found 99999999999999999999, which is out of range"),
            ("memory = 1\nmemory += 2\n", "g.cfg:4:1: memory: cannot use += with a number; expected a size in MiB from 1 to 8796093022207"),
            ("memory = 512\nmaxmem = 256\n", "g.cfg:4:1: maxmem: expected at least memory (512 MiB), found 256"),
            ("vcpus = 0\n", "g.cfg:3:1: vcpus: expected a vCPU count from 1 to 128, found 0"),
            ("vcpus = [ 1 ]\n", "g.cfg:3:1: vcpus: expected a single value, found a list [\"1\"]"),
            ("nr_spis = 989\n", "g.cfg:3:1: nr_spis: expected an SPI count from 0 to 988, found 989"),
            ("type = \"hvm\"\n", "g.cfg:3:1: type: expected \"pvh\" (ARM guests are PVH), found \"hvm\", which xl reads as hvm"),
            ("type = \"\"\n", "g.cfg:3:1: type: expected \"pvh\" (ARM guests are PVH), found \"\", which xl reads as hvm"),
            ("type = \"pvhx\"\n", "g.cfg:3:1: type: expected \"pvh\", found \"pvhx\""),
            ("gic_version = \"v4\"\n", "g.cfg:3:1: gic_version: expected one of \"default\", \"v2\" or \"v3\", found \"v4\""),
            ("vuart = \"pl011\"\n", "g.cfg:3:1: vuart: expected one of \"unknown\" or \"sbsa_uart\", found \"pl011\""),
            ("on_crash = \"Restart\"\n", "g.cfg:3:1: on_crash: expected one of \"destroy\", \"restart\", \"rename-restart\", \"preserve\", \"coredump-destroy\", \"coredump-restart\" or \"soft-reset\", found \"Restart\""),
            ("uuid = \"1234\"\n", "g.cfg:3:1: uuid: expected a UUID such as \"6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55\", found \"1234\""),
            ("name = \"\"\n", "g.cfg:3:1: name: expected a non-empty name without '/', found \"\""),
        ]
        for (extra, message) in cases {
            XCTAssertThrowsError(try config(extra), extra) { error in
                XCTAssertEqual("\(error)", message, extra)
            }
        }
    }

    func testMissingRequiredKeys() throws {
        XCTAssertThrowsError(try DomainConfig(file: ConfigFile(parsing: "kernel = \"/k\"\n", source: "n.cfg"))) { error in
            XCTAssertEqual("\(error)", "n.cfg: name: required: expected the domain's name, as in name = \"guest\"")
        }
        XCTAssertThrowsError(try DomainConfig(file: ConfigFile(parsing: "name = \"g\"\n", source: "n.cfg"))) { error in
            XCTAssertEqual("\(error)", "n.cfg: kernel: required: expected the path of the guest kernel, as in kernel = \"/boot/Image\"")
        }
    }

    func testTypePrefixRuleMatchesXL() {
        let expected: [(String, DomainType.Requested?)] = [
            ("", .hvm), ("h", .hvm), ("hv", .hvm), ("hvm", .hvm), ("p", .pv), ("pv", .pv), ("pvh", .pvh),
            ("pvhx", nil), ("PVH", nil), ("x", nil),
        ]
        for (text, requested) in expected {
            XCTAssertEqual(DomainType.requested(text), requested, text)
        }
    }

    func testLibxlJSONShapeAndCodable() throws {
        let config = try config("""
            uuid = "6F1C2E8A-93B1-4C52-9D0E-2B7F4A1C8E55"
            memory = 128
            vcpus = 2
            device_tree = "/root/p.dtb"
            dtdev = [ "/soc/ethernet@ff0e0000" ]
            irqs = [ 33, 34 ]
            iomem = [ "0x10000,1@0x20000" ]
            vuart = "sbsa_uart"

            """)
        let json = config.libxlJSON()
        let decoded = try JSONDecoder().decode(LibxlDomainConfig.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.b_info.irqs, [33, 34])
        XCTAssertEqual(decoded.b_info.iomem, [.init(start: 65536, number: 1, gfn: 131072)])
        XCTAssertEqual(decoded.dtdevs, [.init(path: "/soc/ethernet@ff0e0000")])
        XCTAssertEqual(decoded.b_info.target_memkb, 131072)
        XCTAssertEqual(decoded.b_info.max_memkb, 131072)
        XCTAssertEqual(decoded.b_info.avail_vcpus, [0, 1])
        XCTAssertEqual(decoded.b_info.device_tree, "/root/p.dtb")
        XCTAssertEqual(decoded.b_info.arch_arm?.vuart, "sbsa_uart")
        XCTAssertEqual(decoded.c_info.uuid, "6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55")
        XCTAssertEqual(decoded.c_info.passthrough, "share_pt")
        XCTAssertEqual(decoded.on_reboot, "restart")
        XCTAssertTrue(json.contains("\"path\": \"/soc/ethernet@ff0e0000\""), json)

        let roundTrip = try JSONDecoder().decode(DomainConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(roundTrip, config)
    }

    func testReadsAFileFromDisk() throws {
        let path = "/tmp/xlconfig-test-\(getpid()).cfg"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data((Self.base + "memory = 64\n").utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try DomainConfig(file: ConfigFile.load(path)).memoryMiB, 64)
        XCTAssertThrowsError(try ConfigFile.load(path, limits: ConfigLimits(maxBytes: 8, maxNesting: 1, maxListItems: 1, maxSettings: 1))) { error in
            XCTAssertEqual("\(error)", "\(path): too large: config files of at most 8 bytes are accepted")
        }
        XCTAssertThrowsError(try ConfigFile.load("/nonexistent/x.cfg")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/x.cfg: cannot open: No such file or directory")
        }
    }
}
