// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// Keys `xl create` does not read: refused when upstream would act on them, warned about when no xl knows them.
final class CreateKeysTests: XCTestCase {
    func testUnimplementedKeysAreRefusedAndTyposWarnedWithoutVerbose() throws {
        let xl = try XLRunner()
        XCTAssertEqual(xl("list").status, 0)
        let kernel = try xl.file("Image", CreateFixtures.kernel)
        let base = "name = \"g\"\nkernel = \"\(kernel)\"\nmemory = 128\n"
        let refused = try xl.file("disk.cfg", Array((base + "disk = [ 'phy:/dev/vg/guest,xvda,w' ]\n").utf8))
        let before = xl.snapshot()
        let result = xl("create", refused)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "\(refused):4:10: disk: xvda: target /dev/vg/guest does not exist\n")
        XCTAssertEqual(xl.snapshot(), before)
        // xl -N create reads and prints them.
        let dry = xl("-N", "create", refused)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("\"disks\": [\n        {\n            \"pdev_path\": \"/dev/vg/guest\",\n            \"vdev\": \"xvda\""), dry.stdout)

        let typo = try xl.file("typo.cfg", Array((base + "memmory = 256\nnomigrate = 1\n").utf8))
        let created = xl("create", typo)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stderr, "\(typo):4:1: memmory: warning: xl.cfg has no such key, it is ignored; did you mean memory?\n")
        let verbose = xl("-v", "-N", "create", typo, "name=\"h\"")
        XCTAssertTrue(verbose.stderr.contains("\(typo): nomigrate: ignored for ARM PVH guests, as upstream's xl does"), verbose.stderr)
    }
}
