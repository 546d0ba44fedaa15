// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest
import XLConfig

/// Debian's real `xl -N create` against our parser on the hand-written configs that set `iomem`, `irqs`,
/// `dtdev` or `device_tree`: the same values when both accept, and every config xl rejects rejected here too.
/// Where xl accepts and we refuse, the case is one of the deliberate differences listed below.
final class RealXLOracleTests: XCTestCase {
    static let keys = ["iomem", "irqs", "dtdev", "device_tree"]

    /// Configs xl takes (often warning and ignoring the key) that we refuse on purpose, with our message.
    static let stricter: [String: String] = [
        "pt: iomem zero pages": "expected NUM of at least 1 page",
        "pt: iomem past 64 bits": "START + NUM must stay below page 0x10000000000",
        "pt: iomem single value": "iomem: expected a list such as",
        "pt: irqs 65536": "expected a decimal IRQ number from 32 to 65535, found 65536",
        "pt: irqs below 32": "IRQs below 32 are per-CPU",
        "pt: irqs twice": "IRQ 112 is listed twice",
        "pt: irqs single value": "irqs: expected a list such as",
        "pt: dtdev nested stops xl's loop": "expected single values in the list, found a nested list",
        "pt: dtdev single value": "dtdev: expected a list such as",
        "pt: dtdev number": "expected an absolute host device-tree path",
        "pt: dtdev empty path": "expected an absolute host device-tree path",
        "pt: device_tree list": "device_tree: expected a single value, found a list",
        "pt: device_tree empty": "expected the path of a partial device tree blob",
    ]

    /// The four keys' values in libxl JSON (`xl -N create`'s or ours), iomem with GFN defaulted to START.
    struct Passthrough: Equatable, CustomStringConvertible {
        var irqs: [UInt64]
        var iomem: [[UInt64]]
        var dtdevs: [String]
        var deviceTree: String?

        init(json: String) throws {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let build = object["b_info"] as? [String: Any] ?? [:]
            irqs = (build["irqs"] as? [NSNumber] ?? []).map(\.uint64Value)
            iomem = (build["iomem"] as? [[String: Any]] ?? []).map { range in
                let start = (range["start"] as? NSNumber)?.uint64Value ?? 0
                let number = (range["number"] as? NSNumber)?.uint64Value ?? 0
                return [start, number, (range["gfn"] as? NSNumber)?.uint64Value ?? start]
            }
            dtdevs = (object["dtdevs"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            deviceTree = build["device_tree"] as? String
        }

        var description: String { "irqs \(irqs) iomem \(iomem) dtdevs \(dtdevs) device_tree \(deviceTree ?? "nil")" }
    }

    func testRealXlAgreesOnThePassthroughKeys() throws {
        try XCTSkipUnless(RealXL.isAvailable, RealXL.unavailableReason)
        let xl: RealXL
        do { xl = try RealXL() } catch { throw XCTSkip("Debian's xl cannot start here: \(error)") }
        var compared = 0
        var agreedRejections = 0
        for (name, text) in HandWrittenCorpus.cases {
            let file = try? ConfigFile(parsing: text, source: "\(name).cfg")
            let mentionsKey = Self.keys.contains { key in file?.settings.contains { $0.key == key } ?? text.contains(key) }
            guard mentionsKey else { continue }
            let real = try xl.dryRunCreate(text)
            let ours: Result<DomainConfig, any Error> = Result {
                try DomainConfig(file: try ConfigFile(parsing: text, source: "\(name).cfg"))
            }
            switch (real.status, ours) {
            case (0, .success(let config)):
                XCTAssertEqual(try Passthrough(json: config.libxlJSON()), try Passthrough(json: real.stdout), name)
                // The keys both print come in the same order, nesting and layout (yajl's "key": value).
                let ours = Self.keyLines(config.libxlJSON()), theirs = Self.keyLines(real.stdout)
                XCTAssertEqual(ours.filter(theirs.contains), theirs.filter(ours.contains), "\(name): key order")
                compared += 1
            case (0, .failure(let error)):
                let expected = Self.stricter[name]
                let accepted = try Passthrough(json: real.stdout)
                XCTAssertNotNil(expected, "\(name): xl accepts (\(accepted)), we refuse: \(error)")
                if let expected { XCTAssertTrue(String(describing: error).contains(expected), "\(name): \(error)") }
            case (_, .success(let config)):
                XCTFail("\(name): xl refuses (\(real.stderr.trimmingCharacters(in: .whitespacesAndNewlines))), we accept \(config)")
            case (_, .failure):
                XCTAssertNil(Self.stricter[name], "\(name) is listed as stricter, but xl refuses it too")
                agreedRejections += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 14)
        XCTAssertGreaterThanOrEqual(agreedRejections, 12)
    }

    /// Each `"key":` of a pretty libxl JSON document with its indentation (its nesting), in the order of first
    /// appearance (an `iomem` entry without `@GFN` leaves `gfn` out in libxl's output; ours prints it).
    static func keyLines(_ json: String) -> [String] {
        var seen: Set<String> = []
        return json.split(separator: "\n").map(String.init).filter { line in
            line.drop { $0 == " " }.hasPrefix("\"") && line.contains("\": ")
        }.map { String($0.prefix { $0 != ":" }) }.filter { seen.insert($0).inserted }
    }
}
