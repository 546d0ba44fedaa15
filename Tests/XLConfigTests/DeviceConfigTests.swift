// SPDX-License-Identifier: Apache-2.0
import XCTest
import XLConfig

/// `disk =` and `vif =` lists in a config file: order, numbering, where errors point, and the record read back.
final class DeviceConfigTests: XCTestCase {
    private func config(_ lines: String) throws -> DomainConfig {
        try DomainConfig(file: ConfigFile(parsing: "name = \"g\"\nkernel = \"/boot/Image\"\n" + lines, source: "g.cfg"))
    }

    func testListsFillDisksAndNicsInFileOrder() throws {
        let parsed = try config("""
            disk = [ 'phy:/dev/vg/a,xvda,w', 'format=qcow2, vdev=xvdb, target=/srv/b.qcow2',
                     ',,hdc:cdrom,r' ]
            vif = [ 'bridge=xenbr0', 'devid=5,mac=00:16:3e:00:00:01', '' ]

            """)
        XCTAssertEqual(parsed.disks.map(\.vdev), ["xvda", "xvdb", "hdc"])
        XCTAssertEqual(parsed.disks.map(\.format), [.raw, .qcow2, .empty])
        XCTAssertEqual(parsed.nics.map(\.devid), [0, 5, 2], "xl numbers a vif by its place in the list unless devid= says otherwise")
        XCTAssertEqual(parsed.locations[DomainConfig.entryLocationKey("disk", 2)], "g.cfg:4:10")
        XCTAssertEqual(parsed.locations[DomainConfig.entryLocationKey("vif", 1)], "g.cfg:5:26")
        XCTAssertEqual(parsed.ignoredKeys, [])
        XCTAssertEqual(try config("disk = []\nvif = []\n").disks, [])
    }

    func testErrorsNameTheFileLineSpecAndKey() {
        for (text, message) in [
            ("vif = [ 'bridge=br0', 'mac=zz' ]\n", "g.cfg:3:23: vif: \"mac=zz\": mac: expected six hex octets such as mac=00:16:3e:12:34:56, found \"zz\""),
            ("disk = [ '/dev/x,xvda' ]\n", "g.cfg:3:10: disk: \"/dev/x,xvda\": format (the second positional parameter): expected raw, qcow, qcow2, vhd, qed or empty, found \"xvda\"; positional parameters are TARGET,FORMAT,VDEV,ACCESS, so write vdev= for the virtual device"),
            ("disk = 'phy:/dev/x,xvda,w'\n", "g.cfg:3:1: disk: expected a list such as [ \"/dev/vg/guest,raw,xvda,rw\" ], found a single value \"phy:/dev/x,xvda,w\""),
            ("vif = [ [ 'bridge=x' ] ]\n", "g.cfg:3:9: vif: expected single values in the list, found a nested list [\"bridge=x\"]"),
        ] {
            XCTAssertThrowsError(try config(text), text) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testUpstreamsNotesBecomeWarnings() throws {
        let parsed = try config("vif = [ 'netdev=eth0' ]\n")
        XCTAssertEqual(parsed.nics.first?.gatewaydev, "eth0")
        XCTAssertEqual(parsed.warnings, ["g.cfg:3:9: vif: warning: \"netdev=eth0\": netdev: deprecated, read as gatewaydev=; write gatewaydev=eth0"])
    }

    func testTheRecordReadsBackTheDevices() throws {
        let original = try config("""
            disk = [ 'phy:/dev/vg/a,xvda,w', '/srv/b,qcow2,xvdb,ro,backendtype=qdisk,backend=dd,script=block-x,discard,direct-io-safe',
                     ',,hdc:cdrom,r', 'vdev=hdd,devtype=cdrom', 'no-discard,untrusted,grant_usage=1,specification=virtio,/c,,xvdc' ]
            vif = [ 'mac=00:16:3e:01:02:03,bridge=br0,rate=10MB/s@20ms,mtu=1400,ip=1.2.3.4,type=ioemu,script=s,vifname=v0,backend=d,gatewaydev=eth0,vlan=4,model=e1000,trusted', '' ]

            """)
        let back = try DomainConfig(libxlRecord: original.libxlJSON(pretty: false))
        XCTAssertEqual(back.disks, original.disks)
        XCTAssertEqual(back.nics, original.nics)
        XCTAssertEqual(back.libxlJSON(), original.libxlJSON())
        XCTAssertNil(back.disks[3].target, "a removable drive without a target has none, not an empty one")
        XCTAssertEqual(back.disks[2].target, "")

        for (record, key) in [
            (#""disks":[{"vdev":"xvda","format":"vmdk"}]"#, "disks.format"),
            (#""disks":[{"pdev_path":"/a"}]"#, "disks.vdev"),
            (#""disks":[{"vdev":"xvda","discard_enable":"yes"}]"#, "disks.discard_enable"),
            (#""nics":[{"mac":"00:16:3e:01:02"}]"#, "nics.mac"),
            (#""nics":[{"nictype":"vif2"}]"#, "nics.nictype"),
            (#""nics":[{"devid":-1}]"#, "nics.devid"),
        ] {
            let text = #"{"c_info":{"type":"pvh","name":"g","passthrough":"disabled"},"b_info":{"kernel":"/k"},"# + record
                + #","on_poweroff":"destroy","on_reboot":"restart","on_crash":"destroy"}"#
            XCTAssertThrowsError(try DomainConfig(libxlRecord: text), record) { XCTAssertEqual(($0 as? DomainConfigError)?.key, key, record) }
        }
    }
}
