// SPDX-License-Identifier: Apache-2.0
import XCTest
@testable import XLConfig

/// `ConfigFile` against libxlutil on hand-written and generated configs.
final class ParserDifferentialTests: XCTestCase {
    static let generatedCount = 600

    func testHandWrittenCorpusMatchesLibxlutil() {
        var compared = 0
        for (name, text) in HandWrittenCorpus.cases {
            XCTAssertFalse(Differential.usesDeliberateDifference(text), name)
            if let mismatch = Differential.mismatch(text, probing: ["a", "b", "zz"]) {
                XCTFail("\(name): \(mismatch)\n\(text)")
            }
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 80)
        print("hand-written corpus: \(compared) configs compared")
    }

    func testGeneratedConfigsMatchLibxlutil() {
        var generator = ConfigGenerator(seed: 0x0afb_24c2_d900_ceb4)
        var compared = 0
        var excluded = 0
        var accepted = 0
        for index in 0..<Self.generatedCount {
            let text = generator.next()
            guard !Differential.usesDeliberateDifference(text) else {
                excluded += 1
                continue
            }
            if let mismatch = Differential.mismatch(text, probing: ["a", "b"]) {
                XCTFail("generated #\(index): \(mismatch)\n---\n\(text)\n---")
            }
            if (try? ConfigFile(parsing: text, source: "g")) != nil { accepted += 1 }
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 500)
        XCTAssertGreaterThan(accepted, compared / 3)
        XCTAssertGreaterThan(compared - accepted, compared / 10)
        print("generated corpus: \(compared) compared (\(accepted) accepted by both), \(excluded) excluded")
    }
}
