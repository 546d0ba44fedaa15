// SPDX-License-Identifier: Apache-2.0
import Foundation
import XCTest
import XLConfig

/// `disk=` specs: what each form means, what is refused and how, and agreement with libxlutil's `xlu_disk_parse`.
final class DiskSpecTests: XCTestCase {
    private func disk(_ target: String?, _ vdev: String, _ change: (inout Disk) -> Void = { _ in }) -> Disk {
        var disk = Disk(vdev: vdev)
        disk.target = target
        disk.format = .raw
        change(&disk)
        return disk
    }

    func testPositionalKeyValueAndLegacyForms() throws {
        let cases: [(String, Disk)] = [
            ("/dev/vg/guest,raw,xvda,rw", disk("/dev/vg/guest", "xvda")),
            ("/dev/vg/guest,,xvda", disk("/dev/vg/guest", "xvda")),
            ("/srv/a.qcow2,qcow2,xvdb,ro", disk("/srv/a.qcow2", "xvdb") { $0.format = .qcow2; $0.readWrite = false }),
            ("phy:/dev/vg/guest,xvda,w", disk("/dev/vg/guest", "xvda")),
            ("file:/srv/img,xvda,r", disk("/srv/img", "xvda") { $0.readWrite = false }),
            ("tap:aio:/srv/img,xvda,w", disk("/srv/img", "xvda")),
            ("tap2:tapdisk:aio:/srv/img,xvda", disk("/srv/img", "xvda")),
            ("qcow2:/srv/a,xvda,w", disk("/srv/a", "xvda") { $0.format = .qcow2 }),
            ("tap:qcow:/srv/a,xvda", disk("/srv/a", "xvda") { $0.format = .qcow }),
            ("vhd:/srv/a,xvda", disk("/srv/a", "xvda") { $0.format = .vhd }),
            ("nbd:host:1234,xvda,w", disk("host:1234", "xvda") { $0.script = "block-nbd" }),
            ("iscsi:iqn.2001-05.com:x,xvda", disk("iqn.2001-05.com:x", "xvda") { $0.script = "block-iscsi" }),
            ("format=raw, vdev=xvda, access=rw, target=/dev/vg/guest", disk("/dev/vg/guest", "xvda")),
            ("vdev=xvda,target=/srv/a,b=c,d", disk("/srv/a,b=c,d", "xvda")),
            ("vdev=xvda,target=/srv/a,", disk("/srv/a", "xvda")),
            ("vdev=xvda,target=/a,access=wr", disk("/a,access=wr", "xvda")),
            // A stray '=' as the very last byte meets the end of input before flex reports it.
            ("/a,,xvda,=", disk("/a", "xvda")),
            (",,hdc:cdrom,r", disk("", "hdc") { $0.format = .empty; $0.isCDROM = true; $0.readWrite = false }),
            ("/srv/cd.iso,raw,hdc,devtype=cdrom", disk("/srv/cd.iso", "hdc") { $0.isCDROM = true; $0.readWrite = false }),
            ("vdev=hdc,cdrom", disk(nil, "hdc") { $0.format = .empty; $0.isCDROM = true; $0.readWrite = false }),
            ("/srv/a,raw,xvda:disk", disk("/srv/a", "xvda")),
            ("/a,raw,xvda,w,backendtype=qdisk,backend=driver,script=block-x,discard,direct-io-safe,specification=virtio",
             disk("/a", "xvda") { $0.backendType = .qdisk; $0.backendDomain = "driver"; $0.script = "block-x"; $0.discard = true
                 $0.directIOSafe = true; $0.specification = .virtio }),
            ("no-discard,untrusted,grant_usage=0,/a,,xvda", disk("/a", "xvda") { $0.discard = false; $0.trusted = false; $0.grantUsage = false }),
            ("trusted,grant_usage=1,vdev=xvda,target=/a", disk("/a", "xvda") { $0.trusted = true; $0.grantUsage = true }),
            ("format=,vdev=xvda,target=/a", disk("/a", "xvda")),
            ("format=raw,format=raw,access=,vdev=xvda,target=/a", disk("/a", "xvda")),
            ("vdev=,vdev=xvdz,target=/a", disk("/a", "xvdz")),
            ("PHY:/dev/x,,xvda", disk("PHY:/dev/x", "xvda")),
            // White space before a parameter is skipped (flex prefers the whitespace rule on a tie), not after it.
            ("  /dev/x , , xvda", disk("/dev/x ", "xvda")),
        ]
        for (spec, expected) in cases {
            XCTAssertEqual(Result { try Disk(spec: spec) }.value, expected, spec)
        }
        // `target=` takes the rest of the spec, so nothing after it is a vdev: the spec has none.
        XCTAssertThrowsError(try Disk(spec: "target=/x,xvda")) { XCTAssertEqual(($0 as? DeviceSpecError)?.key, "vdev") }
    }

    func testMalformedSpecsNameTheKeyAndTheFix() {
        let cases: [(String, String, String)] = [
            ("/dev/x,xvda", "format (the second positional parameter)", "expected raw, qcow, qcow2, vhd, qed or empty, found \"xvda\""),
            ("/dev/x,raw", "vdev", "no virtual device given; add vdev=xvda"),
            ("vdev=xvda", "target", "no target given and the drive is not removable"),
            ("/a,raw,xvda,rw,extra", "extra", "too many positional parameters"),
            ("/a,raw,xvda,rx", "access (the fourth positional parameter)", "expected ro, r, rw or w, found \"rx\""),
            ("access=wr,vdev=xvda,target=/a", "access", "expected ro, r, rw or w"),
            ("format=qcow3,vdev=xvda,target=/a", "format", "expected raw, qcow, qcow2, vhd, qed or empty"),
            ("format=raw,format=qcow2,vdev=xvda,target=/a", "format", "given twice"),
            // After a legacy prefix the second positional parameter is the vdev, so the third is the access.
            ("qcow2:/a,raw,xvda", "access (the fourth positional parameter)", "expected ro, r, rw or w, found \"xvda\""),
            ("devtype=floppy,vdev=xvda,target=/a", "devtype", "expected devtype=disk or devtype=cdrom"),
            ("backendtype=blktap,vdev=xvda,target=/a", "backendtype", "expected backendtype=phy, tap, qdisk or standalone"),
            ("specification=scsi,vdev=xvda,target=/a", "specification", "expected specification=xen or specification=virtio"),
            ("vdev=xvda,vdev=xvdb,target=/a", "vdev", "given twice (\"xvda\" and \"xvdb\")"),
            ("/a,raw,xvda,target=/b", "target", "given twice (\"/a\" and \"/b\"); keep one, or write a path with ',' or '=' as target=PATH, last"),
            ("vdevv=x,/a,,xvda", "vdevv", "not a disk parameter; did you mean vdev=?"),
            ("foo:/a,,xvda", "foo:", "not a disk prefix"),
            ("=x", "=x", "bad disk syntax"),
            ("/a,,xvda,=\n", "=", "bad disk syntax"),
            ("/a,,xvda:floppy", "vdev", "expected VDEV:cdrom or VDEV:disk"),
            ("colo,colo-host=h,/a,,xvda", "colo", "COLO replication is not available on ARM"),
            ("colo-port=5,/a,,xvda", "colo-port", "COLO replication is not available on ARM"),
        ]
        for (spec, key, message) in cases {
            XCTAssertThrowsError(try Disk(spec: spec), spec) { error in
                guard let error = error as? DeviceSpecError else { return XCTFail("\(spec): \(error)") }
                XCTAssertEqual(error.key, key, spec)
                XCTAssertTrue(error.message.contains(message), "\(spec): \(error)")
                XCTAssertTrue(error.description.hasPrefix("disk \(ConfigQuoting.quoted(spec)): \(key): "), error.description)
                XCTAssertFalse(error.description.contains("\n"))
            }
        }
    }

    /// Specs of a quarter of the longest config file (1 MiB) scan in linear time, although flex's rules look to the end
    /// of the line at every position.
    func testLongSpecsScanInLinearTime() throws {
        let start = Date()
        XCTAssertEqual(try Disk(spec: String(repeating: "tap:", count: 64_000) + "/a,xvda").target, "/a")
        XCTAssertEqual(try Disk(spec: String(repeating: " a", count: 128_000) + ",,xvda").vdev, "xvda")
        XCTAssertThrowsError(try Disk(spec: String(repeating: "phy:", count: 64_000) + "/a,xvda,w,x")) {
            XCTAssertEqual(($0 as? DeviceSpecError)?.key, "x")
            XCTAssertTrue("\($0)".hasPrefix("disk \"" + String(repeating: "phy:", count: 50) + "\"...: x: too many positional"), "\($0)".prefix(300) + "")
        }
        XCTAssertEqual(try NetworkInterface(spec: String(repeating: "bridge=b,", count: 28_000)).bridge, "b")
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "a debug build scans some 100,000 bytes a second; a quadratic scan would take hours")
    }

    /// Several specs fill one disk, as `xl block-attach DOMAIN phy:/dev/x xvdb w` passes them.
    func testSeveralSpecsFillOneDisk() throws {
        XCTAssertEqual(try Disk(specs: ["phy:/dev/x", "xvdb", "r"]), disk("/dev/x", "xvdb") { $0.readWrite = false })
        XCTAssertThrowsError(try Disk(specs: ["/dev/x", "raw", "xvdb", "r", "w"]))
    }

    /// Hand-picked specs and thousands built from fragments: libxlutil and we accept the same and read the same.
    func testAgreesWithXluDiskParse() throws {
        var specs = [
            "/dev/vg/guest,raw,xvda,rw", "phy:/dev/vg/guest,xvda,w", "tap:aio:/srv/img,xvda,w", "qcow2:/srv/a,xvda,w",
            ",,hdc:cdrom,r", "vdev=hdc,cdrom", "vdev=xvda,target=/a,b", "format=raw, vdev=xvda, access=rw, target=/dev/x",
            "nbd:h:1,xvda", "x:/a,,xvda", "x:1,,xvda", "raw:", "=", "a=b", "a=,x", "/a,,xvda,w,w", "phy:/a,xvda:cdrom",
        ]
        let fragments = [
            "phy:", "file:", "tap:", "aio:", "qcow2:", "raw:", "nbd:", "foo:", "x1:", "/dev/sda", "/srv/a b", "xvda", "hdc:cdrom",
            "hdc:disk", "cdrom", "w", "r", "ro", "rw", "", ",", ",,", "=", " ", "\t", "format=raw", "format=qcow", "format=",
            "vdev=xvdb", "vdev=", "target=/x,y", "devtype=cdrom", "devtype=disk", "devtype=x", "backendtype=phy",
            "backendtype=qdisk", "discard", "no-discard", "direct-io-safe", "script=block-x", "backend=dd", "access=ro",
            "access=", "specification=xen", "foo=bar", "a=b", "qcow", "xvda:x", "colo", "colo-host=h",
        ]
        var generator = SplitMix64(seed: 0x5EED_D15C)
        for _ in 0..<4000 {
            let count = Int.random(in: 1...7, using: &generator)
            specs.append((0..<count).map { _ in fragments.randomElement(using: &generator) ?? "" }.joined(separator: Bool.random() ? "," : ""))
        }
        var accepted = 0, refused = 0
        for spec in specs {
            let oracle = LibXLUtil.disk(spec)
            switch (Result { try Disk(spec: spec) }, oracle.disk) {
            case (.success(let ours), let theirs?):
                XCTAssertEqual(ours, theirs, spec)
                accepted += 1
            case (.failure(let error), let theirs?):
                // COLO is the one thing we refuse that libxlutil reads.
                XCTAssertTrue(oracle.colo && "\(error)".contains("COLO"), "\(spec): libxlutil accepts \(theirs), we refuse: \(error)")
            case (.success(let ours), nil):
                XCTFail("\(spec): libxlutil refuses, we accept \(ours)")
            case (.failure, nil):
                refused += 1
            }
        }
        XCTAssertGreaterThan(accepted, 200)
        XCTAssertGreaterThan(refused, 200)
    }
}

extension Result where Failure == any Error {
    var value: Success? { try? get() }
}
