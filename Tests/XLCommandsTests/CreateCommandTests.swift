// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XenSimulator
import XenStoreClient
import XenTypes

final class CreateCommandTests: XCTestCase {
    /// A simulated host booted with seed 003's host tree, a kernel, and a writer of configs.
    private func setUp(_ xl: XLRunner) throws -> (kernel: String, partial: String) {
        let hostDTB = try xl.dtbo("host.dtb", CreateFixtures.host)
        XCTAssertEqual(xl("--host-dtb", hostDTB, "list").status, 0)
        return (try xl.file("Image", CreateFixtures.kernel), try xl.dtbo("guest-midway.dtb", CreateFixtures.partial()))
    }

    /// The host's files, except Xen's next-domid rover, which a failed create advances in Xen too, and the
    /// failures a test injected (used up by the failing call).
    private func traces(_ xl: XLRunner) throws -> [String: NSDictionary] {
        var result: [String: NSDictionary] = [:]
        for (name, data) in xl.snapshot() {
            var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            object["nextDomainID"] = nil
            object["injectedFailures"] = nil
            result[name] = object as NSDictionary
        }
        return result
    }

    private func write(_ xl: XLRunner, _ name: String, _ text: String) throws -> String {
        try xl.file(name, Array(text.utf8))
    }

    func testSeedExampleCreatesARunningDomainAndDestroyReleasesEverything() throws {
        let xl = try XLRunner()
        let (kernel, partial) = try setUp(xl)
        let config = try write(xl, "midway.cfg", CreateFixtures.config(kernel: kernel, deviceTree: partial))
        var result = xl("create", config)
        XCTAssertEqual(result.status, 0, result.stderr)

        let state = try xl.withHost { $0.hypervisor.state }
        let domain = try XCTUnwrap(state.domains.first { $0.id == 1 })
        XCTAssertTrue(domain.state.contains(.running))
        XCTAssertEqual(domain.routedIRQs, [112, 113, 114])
        XCTAssertEqual(domain.mmioMappings, [0x10000: 0xfff51])
        XCTAssertEqual(domain.memoryKiB, 256 * 1024 + 16, "RAM and the builder's four magic pages")
        XCTAssertEqual(domain.guest?.maxMemoryKiB, 257 * 1024, "maxmem plus LIBXL_MAXMEM_CONSTANT")
        XCTAssertEqual(domain.guest?.nrSPIs, 83)
        XCTAssertEqual(state.deviceOwners, ["/soc/ethernet@fff51000": 1])
        let dts = try DeviceTreeTools.decompile(try XCTUnwrap(domain.guest?.deviceTree))
        for expected in ["model = \"XENVM-4.19\"", "interrupt-parent = <0xfde8>", "bootargs = \"console=hvc0\"",
                         "compatible = \"arm,gic-v3\"", "phandle = <0xfde8>", "ethernet@10000000 {", "net = \"/passthrough/ethernet@10000000\""] {
            XCTAssertTrue(dts.contains(expected), "\(expected) missing from\n\(dts)")
        }
        let order = ["chosen {", "cpus {", "psci {", "memory@40000000 {", "interrupt-controller@3001000 {", "timer {", "hypervisor {", "passthrough {", "aliases {"]
        let positions = order.compactMap { dts.range(of: $0)?.lowerBound }
        XCTAssertEqual(positions.count, order.count, dts)
        XCTAssertEqual(positions, positions.sorted(), dts)

        result = xl("list")
        XCTAssertTrue(result.stdout.contains("midway                                       1   256     2     r-----"), result.stdout)
        result = xl("list", "-l")
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["domid"] as? Int }, [1], "dom0 has no config record: left out, as upstream does")
        let recorded = try XCTUnwrap(rows.last?["config"] as? [String: Any])
        let createInfo = try XCTUnwrap(recorded["c_info"] as? [String: Any])
        let buildInfo = try XCTUnwrap(recorded["b_info"] as? [String: Any])
        XCTAssertEqual(createInfo["name"] as? String, "midway")
        XCTAssertEqual((createInfo["uuid"] as? String)?.count, 36, "the uuid create generated is recorded")
        XCTAssertEqual((buildInfo["arch_arm"] as? [String: Any])?["gic_version"] as? String, "v3", "the GIC Xen chose")
        XCTAssertEqual(buildInfo["irqs"] as? [Int], [112, 113, 114])
        XCTAssertEqual((recorded["dtdevs"] as? [[String: Any]])?.first?["path"] as? String, "/soc/ethernet@fff51000")

        result = xl("create", config)
        XCTAssertEqual(result.stderr, "create midway: domain 1 already has this name\n")
        let vm = try xl.withHost { try $0.xenstore.readString("/local/domain/1/vm") }
        let uuid = try XCTUnwrap(vm?.split(separator: "/").last)
        let before = xl.snapshot()
        result = xl("create", config, "name=\"twin\"", "uuid=\"\(uuid)\"")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasSuffix("uuid: \(uuid) already belongs to a domain (/vm/\(uuid) exists)\n"), result.stderr)
        XCTAssertEqual(xl.snapshot(), before)

        // Guest-writable nodes belong to the guest and are closed to every other domain.
        let shutdownPermissions = try xl.withHost { try $0.xenstore.permissions("/local/domain/1/control/shutdown", in: nil) }
        XCTAssertEqual(shutdownPermissions, [XenStorePermission(.none, 1)])

        XCTAssertEqual(xl("destroy", "0").stderr, "destroy 0: domain 0 cannot be destroyed\n")
        XCTAssertEqual(xl("destroy", "midway").status, 0)
        let after = try xl.withHost { host in (host.hypervisor.state, try host.xenstore.children("/local/domain"), try host.xenstore.children("/vm")) }
        XCTAssertEqual(try xl.withHost { try $0.xenstore.children("/libxl") }.filter { $0 != "dt-overlay" }, [])
        XCTAssertEqual(after.0.domains.map(\.id), [.dom0])
        XCTAssertEqual(after.0.deviceOwners, [:])
        XCTAssertEqual(after.1, ["0"])
        XCTAssertEqual(after.2, [])
        XCTAssertEqual(xl("destroy", "midway").stderr, "destroy midway: midway is not the name or id of any domain\n")

        // The device is free again: a second guest gets it, paused with -p.
        result = xl("create", "-p", config, "name=\"again\"")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(xl("list").stdout.contains("again                                        2   256     2     --p---"))
    }

    func testDryRunPrintsConfigAndGuestTreeAndTouchesNothing() throws {
        let xl = try XLRunner()
        let (kernel, partial) = try setUp(xl)
        let config = try write(xl, "midway.cfg", CreateFixtures.config(kernel: kernel, deviceTree: partial))
        let before = xl.snapshot()
        let result = xl("-N", "create", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("{\n    \"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \"midway\","), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"device_tree\": \"\(partial)\""), result.stdout)
        XCTAssertEqual(xl("-N", "create", config).stdout, result.stdout, "the same document on every run")
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), "stdout is one JSON document")
        let verbose = xl("-v", "-N", "create", config)
        XCTAssertEqual(verbose.stdout, result.stdout)
        XCTAssertTrue(verbose.stderr.contains("guest device tree:\n/dts-v1/;"), verbose.stderr)
        XCTAssertTrue(verbose.stderr.contains("passthrough {"), verbose.stderr)
        XCTAssertEqual(xl.snapshot(), before)
    }

    func testEveryBadVariantFailsWithItsOwnMessageAndLeavesNoTrace() throws {
        let xl = try XLRunner()
        let (kernel, partial) = try setUp(xl)
        let bad = try xl.file("bad-kernel", [UInt8](repeating: 7, count: 4096))
        func tree(_ name: String, _ source: String) throws -> String { try xl.dtbo(name, source) }
        let cases: [(String, String, String)] = [
            ("no-passthrough", CreateFixtures.config(kernel: kernel, deviceTree: try tree("a.dtb", CreateFixtures.partial(node: "devices"))),
             "no /passthrough node"),
            ("no-simple-bus", CreateFixtures.config(kernel: kernel, deviceTree: try tree("b.dtb", CreateFixtures.partial(bus: "ranges; #address-cells = <2>; #size-cells = <2>;"))),
             "/passthrough needs compatible = \"simple-bus\""),
            ("no-ranges", CreateFixtures.config(kernel: kernel, deviceTree: try tree("c.dtb", CreateFixtures.partial(bus: "compatible = \"simple-bus\"; #address-cells = <2>; #size-cells = <2>;"))),
             "/passthrough has no ranges"),
            ("no-size-cells", CreateFixtures.config(kernel: kernel, deviceTree: try tree("d.dtb", CreateFixtures.partial(bus: "compatible = \"simple-bus\"; ranges; #address-cells = <2>;"))),
             "/passthrough has no #size-cells"),
            ("phandle-65000", CreateFixtures.config(kernel: kernel, deviceTree: try tree("e.dtb", CreateFixtures.partial(device: "reg = <0 0x10000000 0 0x1000>; phandle = <65000>;"))),
             "uses phandle 65000, which the toolstack reserves for the guest GIC"),
            ("dangling", CreateFixtures.config(kernel: kernel, deviceTree: try tree("f.dtb", CreateFixtures.partial(device: "reg = <0 0x10000000 0 0x1000>; interrupt-parent = <7>; interrupts = <0 80 4>;"))),
             "interrupt-parent <7> names a node the guest will not have"),
            ("reg-outside-iomem", CreateFixtures.config(kernel: kernel, deviceTree: partial, iomem: "\"0xfff51,1@0x20000\""),
             "reg 0x10000000+0x1000 is not inside any guest range of iomem"),
            ("irq-not-listed", CreateFixtures.config(kernel: kernel, deviceTree: partial, irqs: "112, 113"),
             "interrupts give IRQ 114 (SPI 82), which irqs does not list"),
            ("dtdev-not-marked", CreateFixtures.config(kernel: kernel, deviceTree: partial, dtdev: "\"/soc/ethernet@fff50000\""),
             "host node /soc/ethernet@fff50000 has no xen,passthrough"),
            ("dtdev-missing", CreateFixtures.config(kernel: kernel, deviceTree: partial, dtdev: "\"/soc/nothing\""),
             "/soc/nothing is not a node of the host device tree"),
            ("nr-spis", CreateFixtures.config(kernel: kernel, deviceTree: partial, extra: "nr_spis = 10"),
             "nr_spis: 10 is too small; irqs and vuart need at least 83"),
            ("dtdev-no-iommu", CreateFixtures.config(kernel: kernel, deviceTree: partial, dtdev: "\"/soc/ethernet@fff51000\", \"/soc/gpio@fff60000\""),
             ":7:37: dtdev: host node /soc/gpio@fff60000 has no iommus, so no IOMMU stands between it and memory and Xen cannot assign it; "
                + "drop it from dtdev and pass its pages and IRQs with iomem and irqs alone"),
            ("irq-of-dom0", CreateFixtures.config(kernel: kernel, deviceTree: partial, irqs: "112, 113, 114, 109"),
             ":8:25: irqs: IRQ 109 (SPI 77) is host node /soc/ethernet@fff50000's, which has no xen,passthrough, so Xen routed it to dom0 at boot"),
            ("irq-of-xen", CreateFixtures.config(kernel: kernel, deviceTree: partial, irqs: "112, 113, 114, 42"),
             ":8:25: irqs: IRQ 42 (SPI 10) is host node /soc/serial@fff36000's, which Xen keeps as its console UART; it cannot be passed through"),
            ("irq-of-nobody", CreateFixtures.config(kernel: kernel, deviceTree: partial, irqs: "112, 113, 114, 200"),
             ":8:25: irqs: IRQ 200 (SPI 168) is the interrupt of no host device-tree node, so Xen gave dom0 no right to pass it on"),
            ("iomem-of-gic", CreateFixtures.config(kernel: kernel, deviceTree: partial, iomem: "\"0xfff51,1@0x10000\", \"0xfff10,1\""),
             ":9:32: iomem: \"0xfff10,1@0xfff10\": page 0xfff10 is in host node /interrupt-controller@fff10000's reg, which Xen keeps as the GIC"),
            ("iomem-of-ram", CreateFixtures.config(kernel: kernel, deviceTree: partial, iomem: "\"0xfff51,1@0x10000\", \"0x100,1@0x20000\""),
             ":9:32: iomem: \"0x100,1@0x20000\": page 0x100 is in host node /memory@0's reg, which Xen keeps as RAM"),
            ("iomem-of-dom0", CreateFixtures.config(kernel: kernel, deviceTree: partial, iomem: "\"0xfff51,1@0x10000\", \"0xfff50,1@0x20000\""),
             ":9:32: iomem: \"0xfff50,1@0x20000\": page 0xfff50 is in host node /soc/ethernet@fff50000's reg, which has no xen,passthrough, so dom0 drives that device"),
            ("iomem-past-the-device", CreateFixtures.config(kernel: kernel, deviceTree: partial, iomem: "\"0xfff51,2@0x10000\""),
             ":9:11: iomem: \"0xfff51,2@0x10000\": page 0xfff52 is in the reg of no host device-tree node; iomem may map only pages of nodes marked xen,passthrough"),
            ("bad-kernel", CreateFixtures.config(kernel: bad, deviceTree: partial),
             "kernel: \(bad) is not an arm64 Image (no \"ARM\\x64\" magic at 0x38)"),
            ("text-offset", CreateFixtures.config(kernel: try xl.file("far", {
                var image = CreateFixtures.kernel
                image.replaceSubrange(8..<16, with: [0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
                return image
            }()), deviceTree: partial), "(4096 bytes at text_offset 0xffff000000000000) does not fit in the first RAM bank of 256 MiB"),
            ("no-room", CreateFixtures.config(kernel: try xl.file("huge", CreateFixtures.kernel + [UInt8](repeating: 0, count: 3 << 20)),
                                              deviceTree: partial, extra: "memory = 4"),
             "memory: 4 MiB leaves no room for the kernel, ramdisk and device tree"),
            ("builder", CreateFixtures.config(kernel: kernel, deviceTree: partial, extra: "vuart = \"sbsa_uart\""),
             "step \"load kernel \(kernel)\" failed: xc_dom_vuart_init returned EIO"),
            ("store-domid", CreateFixtures.config(kernel: kernel, deviceTree: partial),
             "create midway: /tool/xenstored/domid is \"dom0\", which is not a domain id"),
        ]
        for (name, text, message) in cases {
            let config = try write(xl, name + ".cfg", text)
            if name == "builder" { try xl.withHost { $0.hypervisor.state.injectedFailures["xc_dom_vuart_init"] = .EIO } }
            if name == "store-domid" { try xl.withHost { try $0.xenstore.write("/tool/xenstored/domid", string: "dom0") } }
            defer { if name == "store-domid" { _ = try? xl.withHost { try $0.xenstore.remove("/tool", in: nil) } } }
            let before = try traces(xl)
            let result = xl("create", config)
            XCTAssertEqual(result.status, 1, name)
            XCTAssertTrue(result.stderr.contains(message), "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, name)
            XCTAssertEqual(try traces(xl), before, name)
        }
    }

    /// What the host tree cannot predict (another domain holds the IRQ or device) fails at the hypercall, named by
    /// its config line, with what the errno means.
    func testAPassthroughHypercallFailureNamesTheLineAndExplainsTheErrno() throws {
        let xl = try XLRunner()
        let (kernel, partial) = try setUp(xl)
        XCTAssertEqual(xl("create", try write(xl, "midway.cfg", CreateFixtures.config(kernel: kernel, deviceTree: partial))).status, 0)
        let cases: [(String, String)] = [
            ("irqs = [ 113 ]\n",
             ":3:10: irqs: step \"route IRQ 113\" failed: XEN_DOMCTL_bind_pt_irq returned EBUSY (Device or resource busy): IRQ 113 "
                + "(host node /soc/ethernet@fff51000) is routed already, to another domain or, when its host node has no xen,passthrough, to dom0 at boot"),
            ("dtdev = [ \"/soc/ethernet@fff51000\" ]\n",
             ":3:11: dtdev: step \"dtdev /soc/ethernet@fff51000: test assign\" failed: XEN_DOMCTL_test_assign_device returned EINVAL (Invalid argument): "
                + "/soc/ethernet@fff51000 is assigned already, to another domain or, when it has no xen,passthrough, to dom0 at boot"),
        ]
        for (index, (line, message)) in cases.enumerated() {
            let config = try write(xl, "second\(index).cfg", "name = \"second\(index)\"\nkernel = \"\(kernel)\"\n" + line)
            let before = try traces(xl)
            let result = xl("create", config)
            XCTAssertEqual(result.status, 1, line)
            XCTAssertTrue(result.stderr.hasPrefix(config + message), result.stderr)
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, line)
            XCTAssertEqual(try traces(xl), before, line)
        }
    }

    func testAFailedLastStepUndoesEveryEarlierOne() throws {
        let xl = try XLRunner()
        let (kernel, partial) = try setUp(xl)
        let config = try write(xl, "midway.cfg", CreateFixtures.config(kernel: kernel, deviceTree: partial))
        try xl.withHost { $0.hypervisor.state.injectedFailures["XEN_DOMCTL_unpausedomain"] = .EIO }
        let xenstoreBefore = xl.snapshot()["xenstore.json"]
        let result = xl("create", config)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("step \"unpause\" failed: XEN_DOMCTL_unpausedomain returned EIO"), result.stderr)
        let state = try xl.withHost { $0.hypervisor.state }
        XCTAssertEqual(state.domains.map(\.id), [.dom0])
        XCTAssertEqual(state.deviceOwners, [:])
        XCTAssertEqual(xl.snapshot()["xenstore.json"], xenstoreBefore)
        XCTAssertEqual(xl("create", config).status, 0)
    }
}
