// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLConfig

/// `static_shm`: what the spec syntax accepts, the defaults, and how errors name the spec. The table of malformed
/// specs run through `xl create` is in XLCommandsTests.
final class StaticSharedMemoryConfigTests: XCTestCase {
    private func config(_ list: String) throws -> DomainConfig {
        try DomainConfig(file: try ConfigFile(parsing: "name = \"g\"\nkernel = \"/boot/Image\"\nstatic_shm = \(list)\n", source: "g.cfg"))
    }

    private func message(_ list: String) -> String? {
        do { _ = try config(list); return nil } catch { return (error as? DomainConfigError)?.description }
    }

    func testSeedSyntaxWithDefaultsSpacesAndBothBases() throws {
        let parsed = try config("""
            [ "id=ID1, begin=0x100000, size=0x100000, role=owner, prot=rw",
              " id = ID_2 ,offset = 0x10000,begin=7340032 , size = 0x110000, role=borrower,",
              "\tid=x\t,begin=0x900000,size=4096" ]
            """).staticSharedMemory
        XCTAssertEqual(parsed, [
            StaticSharedMemory(id: "ID1", role: .owner, begin: 0x100000, size: 0x100000, cachePolicy: .armNormal),
            StaticSharedMemory(id: "ID_2", role: .borrower, begin: 0x700000, size: 0x110000, offset: 0x10000),
            StaticSharedMemory(id: "x", role: .borrower, begin: 0x900000, size: 0x1000),
        ])
        XCTAssertEqual(parsed[0].cachePolicy, .armNormal, "owners default to ARM_normal")
        XCTAssertNil(parsed[1].cachePolicy, "borrowers have no cache policy")
        XCTAssertEqual(parsed[2].role, .borrower, "the role defaults to borrower")
        XCTAssertEqual(parsed[2].prot, .rw)
    }

    func testEnumeratedValuesIgnoreCaseAsLibxlDoes() throws {
        let parsed = try config("[ \"id=a, begin=0x1000, size=0x1000, role=OWNER, prot=RW, cache_policy=arm_normal\" ]")
        XCTAssertEqual(parsed.staticSharedMemory.first?.role, .owner)
        XCTAssertEqual(parsed.staticSharedMemory.first?.cachePolicy, .armNormal)
    }

    func testIdsAreCaseSensitiveAndLimitedTo128Characters() throws {
        XCTAssertEqual(try config("[ \"id=a, begin=0x1000, size=0x1000\", \"id=A, begin=0x2000, size=0x1000\" ]").staticSharedMemory.count, 2)
        let longest = String(repeating: "i", count: 128)
        XCTAssertEqual(try config("[ \"id=\(longest), begin=0x1000, size=0x1000\" ]").staticSharedMemory.first?.id, longest)
        XCTAssertEqual(message("[ \"id=\(longest)i, begin=0x1000, size=0x1000\" ]"),
                       "g.cfg:3:16: static_shm[0]: id: is 129 characters long; at most 128")
    }

    func testErrorsNameTheItemLocationIndexIdAndField() {
        XCTAssertEqual(message("[\n  \"id=a, begin=0x1000, size=0x1000\",\n  \"id=b, begin=0x1000, size=0x2000, role=owner, cache_policy=x86_normal\" ]"),
                       "g.cfg:5:3: static_shm[1] id=b: cache_policy: x86_normal is for x86 guests; ARM guests take ARM_normal (the default)")
        XCTAssertEqual(message("[ \"begin=0x1000, size=0x1000, id=late, bogus=1\" ]"),
                       "g.cfg:3:16: static_shm[0] id=late: unknown key \"bogus\" in \"bogus=1\": expected id, begin, size, offset, role, prot or cache_policy")
    }

    func testRegionsOfOneDomainMayTouchButNotOverlap() throws {
        XCTAssertEqual(try config("[ \"id=a, begin=0x1000, size=0x1000, role=owner\", \"id=b, begin=0x2000, size=0x1000\" ]").staticSharedMemory.count, 2)
        XCTAssertEqual(message("[ \"id=a, begin=0x1000, size=0x2000, role=owner\", \"id=b, begin=0x2000, size=0x1000\" ]"),
                       "g.cfg:3:63: static_shm[1] id=b: begin: 0x2000-0x2fff overlaps static_shm[0] id=a at 0x1000-0x2fff")
    }

    func testLocationsAreKeptForCreateTimeMessagesAndJSONHasSshms() throws {
        let parsed = try config("[ \"id=a, begin=0x40000000, size=0x1000, role=owner\", \"id=b, offset=0x1000, begin=0x60000000, size=0x1000\" ]")
        XCTAssertEqual(parsed.locations["static_shm[1]"], "g.cfg:3:67")
        let json = parsed.libxlJSON()
        XCTAssertTrue(json.contains("\"sshms\""), json)
        XCTAssertTrue(json.contains("\"cache_policy\": \"arm_normal\""), json)
        XCTAssertTrue(json.contains("\"offset\": 4096"), json)
        XCTAssertTrue(json.contains("\"role\": \"borrower\""), json)
    }
}
