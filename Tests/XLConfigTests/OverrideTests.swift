// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLConfig

/// `xl create cfg KEY=VALUE…`: xl appends `"\n" + args joined by "\n" + "\n"` to the file and parses the result.
final class OverrideTests: XCTestCase {
    private func xlText(_ file: String, _ overrides: [String]) -> String {
        file + "\n" + overrides.map { "\n" + $0 }.joined() + "\n"
    }

    func testOverridesMatchLibxlutilOnTheJoinedText() throws {
        let file = "name = \"g\"\nmemory = 256\nirqs = [ 33 ]\nextra = \"console=hvc0\"\n"
        let cases: [[String]] = [
            ["memory=512"],
            ["irqs+=[34]", "extra+=\" quiet\""],
            ["vcpus=2;maxmem=1024"],
            ["name='other'", "name=\"third\""],
            ["iomem=[\"0x10000,1\"]"],
        ]
        for overrides in cases {
            var ours = try ConfigFile(parsing: file, source: "g.cfg")
            try ours.applyOverrides(overrides)
            let keys = ours.keys
            let theirs = LibXLUtil.parse(xlText(file, overrides), keys: keys)
            XCTAssertTrue(theirs.accepted, theirs.report)
            for key in keys {
                XCTAssertEqual(theirs.values[key], .some(ours[key]?.value.plain), "\(overrides) \(key)")
            }
        }
    }

    func testBadOverrideNamesTheArgument() throws {
        var file = try ConfigFile(parsing: "name = \"g\"\n", source: "g.cfg")
        XCTAssertThrowsError(try file.applyOverrides(["memory=512", "irqs=[33"])) { error in
            XCTAssertEqual("\(error)", "<command line>:2:9: expected ',' or ']' in the list, found end of file")
        }
        XCTAssertThrowsError(try file.applyOverrides(["name+=[1]"])) { error in
            XCTAssertEqual(
                "\(error)",
                "<command line>:1:7: cannot use += to join a list and a single value: 'name' is a single value "
                    + "(set at g.cfg:1:1); expected a single value")
        }
    }
}
