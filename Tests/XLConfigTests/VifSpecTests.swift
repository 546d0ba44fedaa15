// SPDX-License-Identifier: Apache-2.0
import XCTest
import XLConfig

/// `vif=` specs: every key, what is refused and how, and `rate=` against libxlutil's `xlu_vif_parse_rate`.
final class VifSpecTests: XCTestCase {
    func testEveryKey() throws {
        var warnings: [String] = []
        let nic = try NetworkInterface(
            spec: "mac=00:16:3E:0a:0b:0c, bridge=br0,ip=192.168.0.2 10.0.0.2,script=vif-route,vifname=web0,type=vif,model=e1000,"
                + "backend=netdom,rate=10Mb/s@20ms,mtu=9000,devid=3,gatewaydev=eth1,vlan=10,untrusted",
            warnings: &warnings)
        XCTAssertEqual(nic.mac?.description, "00:16:3e:0a:0b:0c")
        XCTAssertEqual(nic.bridge, "br0")
        XCTAssertEqual(nic.ip, "192.168.0.2 10.0.0.2")
        XCTAssertEqual(nic.script, "vif-route")
        XCTAssertEqual(nic.vifname, "web0")
        XCTAssertEqual(nic.type, .vif)
        XCTAssertEqual(nic.model, "e1000")
        XCTAssertEqual(nic.backendDomain, "netdom")
        XCTAssertEqual(nic.rate, NetworkRate(bytesPerInterval: 25_000, intervalMicroseconds: 20_000))
        XCTAssertEqual(nic.mtu, 9000)
        XCTAssertEqual(nic.devid, 3)
        XCTAssertEqual(nic.gatewaydev, "eth1")
        XCTAssertEqual(nic.vlan, "10")
        XCTAssertEqual(nic.trusted, false)
        XCTAssertEqual(warnings, [])
    }

    func testUpstreamsQuirksAreKept() throws {
        var warnings: [String] = []
        XCTAssertEqual(try NetworkInterface(spec: ""), NetworkInterface())
        XCTAssertEqual(try NetworkInterface(spec: ",,,"), NetworkInterface())
        XCTAssertEqual(try NetworkInterface(spec: "bridge=a,bridge=b").bridge, "b", "the last one wins")
        XCTAssertEqual(try NetworkInterface(spec: "bridge=br0 ").bridge, "br0 ", "only spaces before an item are dropped")
        XCTAssertEqual(try NetworkInterface(spec: "ip=a=b").ip, "a=b")
        XCTAssertEqual(try NetworkInterface(spec: "type=ioemu").type, .ioemu)
        XCTAssertEqual(try NetworkInterface(spec: "mac=0:1:2:3:4:5").mac?.octets, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try NetworkInterface(spec: "mac=00-16-3e-01-02-03:ff").mac?.octets, [0, 0x16, 0x3e, 1, 2, 3], "any separator, tail ignored")
        XCTAssertEqual(try NetworkInterface(spec: "mac=0x1:2:3:4:5:6").mac?.octets, [1, 2, 3, 4, 5, 6], "strtoul takes a 0x")
        XCTAssertNil(try NetworkInterface(spec: "mac=00:00:00:00:00:00").mac, "all zero is libxl's 'pick one'")
        XCTAssertNil(try NetworkInterface(spec: "mtu=0").mtu)
        XCTAssertEqual(try NetworkInterface(spec: "devid=+7").devid, 7)
        XCTAssertEqual(try NetworkInterface(spec: "trusted,untrusted").trusted, false)

        let netdev = try NetworkInterface(spec: "netdev=eth0,accel=x,mtu=1500abc", warnings: &warnings)
        XCTAssertEqual(netdev.gatewaydev, "eth0")
        XCTAssertEqual(netdev.mtu, 1500)
        XCTAssertEqual(warnings, [
            "\"netdev=eth0,accel=x,mtu=1500abc\": netdev: deprecated, read as gatewaydev=; write gatewaydev=eth0",
            "\"netdev=eth0,accel=x,mtu=1500abc\": accel: not supported, ignored as upstream's xl ignores it; remove accel=",
            "\"netdev=eth0,accel=x,mtu=1500abc\": mtu: \"abc\" after the number is ignored, as upstream's xl ignores it; write mtu=1500",
        ])
    }

    func testMalformedSpecsNameTheKeyAndTheFix() {
        let cases: [(String, String, String)] = [
            ("type=pv", "type", "expected type=vif (a PV interface) or type=ioemu, found \"pv\""),
            ("mac=zz:16:3e:01:02:03", "mac", "expected six hex octets such as mac=00:16:3e:12:34:56"),
            ("mac=00:16:3e:01:02", "mac", "expected six hex octets"),
            ("mac=00:16:3e:01:02:", "mac", "expected six hex octets"),
            ("mac=100:16:3e:01:02:03", "mac", "expected six hex octets"),
            ("mac=-1:16:3e:01:02:03", "mac", "expected six hex octets"),
            ("bridge=br0,brige=br1", "brige", "not a vif key; did you mean bridge=?"),
            ("trusted=1", "trusted", "not a vif key"),
            ("xenbr0", "xenbr0", "not a vif key; write key=value"),
            ("bridge=x,  ", "(empty)", "not a vif key"),
            ("\tbridge=x", "\tbridge", "not a vif key"),
            ("rate=", "rate", "no rate before the '@'"),
            ("rate=10MB", "rate", "expected an amount per second such as 10MB/s"),
            ("rate=10MB/s@", "rate", "expected an interval after '@'"),
            ("rate=10MB/s@20ns", "rate", "expected an interval after '@'"),
            ("rate=0MB/s", "rate", "must be from 1 to 4294967295"),
            ("rate=4294967296B/s", "rate", "must be from 1 to 4294967295"),
            ("rate=1B/s@4295s", "rate", "must be from 1us to 4294967295us"),
            ("rate=4294967295GB/s@4294967295us", "rate", "does not fit in 64 bits"),
            ("mtu=", "mtu", "expected a decimal number from 0 to 2147483647, found \"\""),
            ("mtu=abc", "mtu", "expected a decimal number"),
            ("devid=-1", "devid", "expected a decimal number"),
            ("devid=2147483648", "devid", "expected a decimal number from 0 to 2147483647"),
            ("colo_sock_mirror_id=1", "colo_sock_mirror_id", "COLO replication is not available on ARM"),
            ("forwarddev=eth0", "forwarddev", "COLO replication is not available on ARM"),
        ]
        for (spec, key, message) in cases {
            XCTAssertThrowsError(try NetworkInterface(spec: spec), spec) { error in
                guard let error = error as? DeviceSpecError else { return XCTFail("\(spec): \(error)") }
                XCTAssertEqual(error.key, key, spec)
                XCTAssertTrue(error.message.contains(message), "\(spec): \(error)")
                XCTAssertTrue(error.description.hasPrefix("vif \(ConfigQuoting.quoted(spec)): "), error.description)
            }
        }
    }

    /// Hand-picked rates and thousands built from pieces: libxlutil and we agree on every one.
    func testRatesAgreeWithXluVifParseRate() {
        var rates = [
            "10MB/s", "10Mb/s", "1b/s", "7b/s", "8b/s", "010MB/s", "08MB/s", "018MB/s", "1GB/s@1us", "4294967295GB/s@4294967us",
            "4294967295GB/s@4294968us", "1KB/s@09ms", "1KB/s@010ms", "1KB/s@018ms", "1B/s@4294s", "1B/s@4295s", "1B/s@4294967295",
            "100MB/s@50ms", "@20ms", "", "1", "1B/s@", "1B/s@0", "1B/s@1m", "1B/s@1u", "1B/s@1ms@2", "1MB/ss", "-1MB/s", "+1MB/s",
            " 1MB/s", "1mB/s", "1Kb/s@1s", "0x10MB/s",
        ]
        let amounts = ["0", "1", "7", "8", "9", "010", "08", "4294967295", "4294967296", "18446744073709551616", "12", ""]
        let units = ["GB/s", "MB/s", "KB/s", "B/s", "Gb/s", "Mb/s", "Kb/s", "b/s", "kB/s", "MB", "MB/s ", "B/S"]
        let intervals = ["", "@", "@0", "@1", "@50ms", "@09ms", "@010us", "@1s", "@4294s", "@4295s", "@4294967295us", "@4294967296", "@1h", "@1m"]
        var generator = SplitMix64(seed: 0xBA7E)
        for _ in 0..<3000 {
            let pick = { (list: [String]) in list[Int(generator.next() % UInt64(list.count))] }
            rates.append(pick(amounts) + pick(units) + pick(intervals))
        }
        var accepted = 0
        for rate in rates {
            let ours = Result { try NetworkRate(parsing: rate) }
            XCTAssertEqual(ours.value, LibXLUtil.rate(rate), rate)
            if ours.value != nil { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 300)
    }
}
