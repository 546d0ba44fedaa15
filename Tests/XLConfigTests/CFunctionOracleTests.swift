// SPDX-License-Identifier: Apache-2.0
import CXLUtil
import Glibc
import XCTest
@testable import XLConfig

/// The C conversions xl applies to values (`strtol`, `strtoul`, `sscanf`, `uuid_parse`, libxl's enum parsers),
/// compared with their Swift reimplementations on many texts.
final class CFunctionOracleTests: XCTestCase {
    /// Number-like texts, hand-picked and generated.
    static let numberTexts: [String] = {
        var texts = [
            "", " ", "0", "00", "010", "09", "0x", "0x1", "0X1f", "0xg", " 12", "\t12", "12 ", "+5", "-5", "-0", "- 5",
            "1e3", "12abc", "0x7fffffffffffffff", "0x8000000000000000", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
            "4294967295", "4294967294", "99999999999999999999999", "0x0x1", "\u{0B}7", "\n7", "1_000", "٣",
        ]
        var random = SplitMix64(seed: 7)
        let alphabet = Array("0123456789abcdefxX +-\t")
        for _ in 0..<400 {
            let length = Int.random(in: 0...8, using: &random)
            texts.append(String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }))
        }
        return texts
    }()

    func testLongMatchesStrtol() {
        for text in Self.numberTexts {
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let (value, consumedAll, consumedAny, range) = text.withCString { start in
                let value = strtol(start, &end, 0)
                let offset = end.map { $0 - UnsafeMutablePointer(mutating: start) } ?? 0
                return (value, start[offset] == 0, offset > 0, errno == ERANGE)
            }
            let expected: CNumber.LongResult? = range ? .outOfRange : (consumedAll && consumedAny ? nil : .notANumber)
            switch CNumber.long(text) {
            case .value(let mine, _):
                XCTAssertNil(expected, "\(text.debugDescription)")
                XCTAssertEqual(Int(mine), value, text.debugDescription)
            case let other:
                XCTAssertEqual(other, expected, text.debugDescription)
            }
        }
    }

    func testDecimalScanMatchesStrtoul() {
        for text in Self.numberTexts {
            var end: UnsafeMutablePointer<CChar>?
            let (value, offset) = text.withCString { start in
                let value = strtoul(start, &end, 10)
                return (value, end.map { $0 - UnsafeMutablePointer(mutating: start) } ?? 0)
            }
            let scan = CNumber.scan(Array(text.utf8), base: 10)
            XCTAssertEqual(scan.end, offset, text.debugDescription)
            if scan.end > 0 { XCTAssertEqual(CNumber.unsignedValue(scan), UInt64(value), text.debugDescription) }
        }
    }

    /// xl's iomem check: `sscanf(buf, "%lx,%lx%n@%lx%n", …) >= 2 && buf[used] == 0`.
    private func xlIOMem(_ text: String) -> (UInt64, UInt64, UInt64?)? {
        let numbers = UnsafeMutablePointer<UInt64>.allocate(capacity: 3)
        let used = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer {
            numbers.deallocate()
            used.deallocate()
        }
        used.pointee = -1
        let count = text.withCString { buffer in
            withVaList([numbers, numbers + 1, used, numbers + 2, used]) { vsscanf(buffer, "%lx,%lx%n@%lx%n", $0) }
        }
        guard count >= 2, used.pointee >= 0, Int(used.pointee) == text.utf8.count else { return nil }
        return (numbers[0], numbers[1], count == 3 ? numbers[2] : nil)
    }

    func testIOMemScanMatchesSscanf() {
        var texts = [
            "0xfff51,1@0x10000", "fff51,1", "0x10000,1@0x20000", " 1, 2@ 3", "1 ,2", "1,2 ", "1,2@", "1,2@3 ", "1",
            "1,", ",1", "1,2@3@4", "0x,1", "1,0x", "-1,1", "+1,+1", "1,-1", "ffffffffffffffffffff,1", "1,2,3", "",
            "0xFFF51,0X1", "1,2@0xg", "1;2", "g,1",
        ]
        var random = SplitMix64(seed: 11)
        let alphabet = Array("0123456789abcdefxX ,@+-")
        for _ in 0..<600 {
            let length = Int.random(in: 1...10, using: &random)
            texts.append(String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }))
        }
        var agreed = 0
        for text in texts {
            let theirs = xlIOMem(text)
            let mine = IOMemRange.xlScan(text)?.values
            XCTAssertEqual(mine.map { [$0.0, $0.1, $0.2 ?? 1 << 63] }, theirs.map { [$0.0, $0.1, $0.2 ?? 1 << 63] },
                           text.debugDescription)
            agreed += 1
        }
        print("iomem: \(agreed) texts compared with sscanf")
    }

    func testUUIDMatchesLibxl() {
        let texts = [
            "6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55", "6F1C2E8A-93B1-4C52-9D0E-2B7F4A1C8E55", "6f1c2e8a93b14c529d0e2b7f4a1c8e55",
            "6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e5", "6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e555", "6f1c2e8a-93b1-4c52-9d0e_2b7f4a1c8e55",
            "gf1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55", "", "{6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55}",
            " 6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e5", "00000000-0000-0000-0000-000000000000",
        ]
        // libxl_uuid_from_string is uuid_parse from libuuid, but in this test process swift-corelibs-foundation
        // exports its own, laxer uuid_parse, which wins symbol resolution; so call libuuid's directly.
        typealias UUIDParse = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<UInt8>) -> Int32
        guard let library = dlopen("libuuid.so.1", RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(library, "uuid_parse") else {
            return XCTFail("libuuid.so.1 not loadable")
        }
        defer { dlclose(library) }
        let uuidParse = unsafeBitCast(symbol, to: UUIDParse.self)
        for text in texts {
            var bytes = [UInt8](repeating: 0, count: 16)
            let theirs = uuidParse(text, &bytes) == 0
            let mine = DomainUUID(text)
            XCTAssertEqual(mine != nil, theirs, text)
            if let mine, theirs {
                XCTAssertEqual(mine.bytes, bytes, text)
            }
        }
    }

    func testEnumsMatchLibxlFromString() {
        let texts = ["", "default", "DEFAULT", "v2", "V3", "v4", "sbsa_uart", "SBSA_UART", "unknown", "pl011", "enabled",
                     "Enabled", "disabled", "sync_pt", "share_pt", "SHARE_PT", "share-pt", " enabled"]
        for text in texts {
            var passthrough = libxl_passthrough(0)
            XCTAssertEqual(
                PassthroughMode.allCases.first { $0.rawValue == ASCII.lowercased(text) } != nil,
                libxl_passthrough_from_string(text, &passthrough) == 0, "passthrough \(text)")
            var vuart = libxl_vuart_type(0)
            XCTAssertEqual(
                VUARTType.allCases.first { $0.rawValue == ASCII.lowercased(text) } != nil,
                libxl_vuart_type_from_string(text, &vuart) == 0, "vuart \(text)")
            var gic = libxl_gic_version(0)
            XCTAssertEqual(
                GICVersion.allCases.first { $0.rawValue == ASCII.lowercased(text) } != nil,
                libxl_gic_version_from_string(text, &gic) == 0, "gic_version \(text)")
        }
    }
}
