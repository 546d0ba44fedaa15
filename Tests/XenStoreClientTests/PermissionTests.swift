// SPDX-License-Identifier: Apache-2.0
import XCTest
import XenStoreClient
import XenTypes

/// Access lists as dom0 sees and sets them, on both backends.
final class PermissionTests: XCTestCase {
    func testRootIsOwnedByDom0() throws {
        try onBothBackends { b in
            XCTAssertEqual(try b.store.permissions("/", in: nil), [XenStorePermission(.none, 0)], "\(b.kind)")
        }
    }

    func testSetAndInherit() throws {
        try onBothBackends { b in
            let list = [XenStorePermission(.none, 5), XenStorePermission(.read, 7), XenStorePermission(.both, 8)]
            try b.store.write("/p/q", string: "")
            try b.store.setPermissions("/p/q", list, in: nil)
            XCTAssertEqual(try b.store.permissions("/p/q", in: nil), list, "\(b.kind)")
            try b.store.write("/p/q/child/grand", string: "1")
            XCTAssertEqual(try b.store.permissions("/p/q/child", in: nil), list, "\(b.kind)")
            XCTAssertEqual(try b.store.permissions("/p/q/child/grand", in: nil), list, "\(b.kind)")
            XCTAssertEqual(try b.store.permissions("/p", in: nil), [XenStorePermission(.none, 0)], "\(b.kind)")
            let six = (1...6).map { XenStorePermission($0 == 1 ? .none : .write, DomainID(UInt16($0))) }
            try b.store.setPermissions("/p/q", six, in: nil)
            XCTAssertEqual(try b.store.permissions("/p/q", in: nil), six, "\(b.kind)")
        }
    }

    func testSetPermissionErrors() throws {
        try onBothBackends { b in
            XCTAssertErrno(.ENOENT, b, try b.store.setPermissions("/nope/x", [XenStorePermission(.none, 0)], in: nil))
            try b.store.write("/p/q", string: "")
            XCTAssertErrno(.EINVAL, b, try b.store.setPermissions("/p/q", [], in: nil))
        }
    }
}
