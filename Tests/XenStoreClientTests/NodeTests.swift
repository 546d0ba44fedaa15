// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// Read, write, mkdir, directory, rm and path rules, on both backends.
final class NodeTests: XCTestCase {
    func testFreshStoreHoldsOnlyTheDaemonsOwnNodes() throws {
        try onBothBackends { b in
            XCTAssertEqual(try b.store.directory("/", in: nil), ["tool"], "\(b.kind)")
            XCTAssertEqual(try b.store.directory("/tool", in: nil), ["xenstored"], "\(b.kind)")
        }
    }

    func testWriteCreatesParentsAndReadsBack() throws {
        try onBothBackends { b in
            try b.store.write("/a/b/c", string: "1")
            XCTAssertEqual(try b.store.readString("/a/b/c"), "1", "\(b.kind)")
            XCTAssertEqual(try b.store.read("/a/b", in: nil), [], "\(b.kind)")
            XCTAssertEqual(try b.store.directory("/a", in: nil), ["b"], "\(b.kind)")
            try b.store.write("/a/b/c", [0, 255, 10], in: nil)
            XCTAssertEqual(try b.store.read("/a/b/c", in: nil), [0, 255, 10], "\(b.kind)")
            try b.store.write("/", [7], in: nil)
            XCTAssertEqual(try b.store.read("/", in: nil), [7], "\(b.kind)")
        }
    }

    func testMissingNodes() throws {
        try onBothBackends { b in
            XCTAssertErrno(.ENOENT, b, try b.store.read("/nope", in: nil))
            XCTAssertErrno(.ENOENT, b, try b.store.directory("/nope", in: nil))
            XCTAssertErrno(.ENOENT, b, try b.store.permissions("/nope", in: nil))
            XCTAssertNil(try b.store.readString("/nope"), "\(b.kind)")
            XCTAssertEqual(try b.store.children("/nope"), [], "\(b.kind)")
            XCTAssertFalse(try b.store.exists("/nope"), "\(b.kind)")
        }
    }

    func testDirectoryKeepsCreationOrder() throws {
        try onBothBackends { b in
            for name in ["z", "a", "m"] { try b.store.write("/p/\(name)", string: "") }
            XCTAssertEqual(try b.store.directory("/p", in: nil), ["z", "a", "m"], "\(b.kind)")
            try b.store.remove("/p/z", in: nil)
            try b.store.write("/p/z", string: "")
            XCTAssertEqual(try b.store.directory("/p", in: nil), ["a", "m", "z"], "\(b.kind)")
        }
    }

    func testMkdir() throws {
        try onBothBackends { b in
            try b.store.mkdir("/m/n", in: nil)
            XCTAssertEqual(try b.store.directory("/m", in: nil), ["n"], "\(b.kind)")
            try b.store.write("/m/n", string: "kept")
            try b.store.mkdir("/m/n", in: nil)
            XCTAssertEqual(try b.store.readString("/m/n"), "kept", "\(b.kind)")
        }
    }

    func testRemove() throws {
        try onBothBackends { b in
            try b.store.write("/r/a/b", string: "1")
            try b.store.write("/r/c", string: "2")
            try b.store.remove("/r/a", in: nil)
            XCTAssertEqual(try b.store.directory("/r", in: nil), ["c"], "\(b.kind)")
            XCTAssertErrno(.ENOENT, b, try b.store.read("/r/a/b", in: nil))
            try b.store.remove("/r/missing", in: nil)
            XCTAssertErrno(.ENOENT, b, try b.store.remove("/r/missing/child", in: nil))
            XCTAssertErrno(.EINVAL, b, try b.store.remove("/", in: nil))
        }
    }

    func testRelativePathsAreUnderTheCallersHome() throws {
        try onBothBackends { b in
            XCTAssertErrno(.ENOENT, b, try b.store.read("rel/x", in: nil))
            try b.store.write("rel/x", string: "1")
            XCTAssertEqual(try b.store.readString("/local/domain/0/rel/x"), "1", "\(b.kind)")
            XCTAssertEqual(try b.store.readString("rel/x"), "1", "\(b.kind)")
        }
    }

    func testBadPathsAreEINVAL() throws {
        try onBothBackends { b in
            for path in ["", "/a//b", "/a/b/", "/a b", "/a.b", "/a:b", "/a~b", "@foo", "@introduceDomain"] {
                XCTAssertErrno(.EINVAL, b, try b.store.write(path, [1], in: nil))
                XCTAssertErrno(.EINVAL, b, try b.store.read(path, in: nil))
            }
            XCTAssertErrno(.EINVAL, b, try b.store.mkdir("/a//b", in: nil))
            XCTAssertErrno(.EINVAL, b, try b.store.remove("/a/", in: nil))
            XCTAssertErrno(.EINVAL, b, try b.store.directory("/a//", in: nil))
            try b.store.write("/p/a@b-c_D9", string: "ok")
        }
    }

    func testPathLengthLimit() throws {
        try onBothBackends { b in
            let long = "/" + String(repeating: "x", count: 2047)
            try b.store.write(long, string: "1")
            XCTAssertErrno(.EINVAL, b, try b.store.write(long + "x", [1], in: nil))
            let home = "/local/domain/5/"
            try b.store.write(home + String(repeating: "y", count: 2048), string: "1")
            XCTAssertErrno(.EINVAL, b, try b.store.write(home + String(repeating: "y", count: 2049), [1], in: nil))
        }
    }

    func testValueSizeLimitForDom0IsThePayload() throws {
        try onBothBackends { b in
            try b.store.write("/p/v", Array(repeating: 0x79, count: 3000), in: nil)
            XCTAssertEqual(try b.store.read("/p/v", in: nil).count, 3000, "\(b.kind)")
            try b.store.write("/p/v", Array(repeating: 0x79, count: 4091), in: nil)
            XCTAssertErrno(.E2BIG, b, try b.store.write("/p/v", Array(repeating: 0x79, count: 4092), in: nil))
            XCTAssertEqual(try b.store.read("/p/v", in: nil).count, 4091, "\(b.kind)")
        }
    }
}
