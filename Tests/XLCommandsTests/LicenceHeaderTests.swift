// SPDX-License-Identifier: Apache-2.0
import Foundation
import XCTest

/// Every source file and script carries the project's SPDX licence line near its top (LICENSE, README).
final class LicenceHeaderTests: XCTestCase {
    func testEverySourceFileNamesItsLicence() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let kinds: Set<String> = ["swift", "c", "h", "sh", "modulemap"]
        var checked = 0
        var missing: [String] = []
        for folder in ["Sources", "Tests", "Scripts", "Fuzz"] {
            guard let walk = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walk where kinds.contains(url.pathExtension) && !url.path.contains("/.build") {
                let head = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", maxSplits: 3).prefix(3)
                checked += 1
                if !head.contains(where: { $0.contains("SPDX-License-Identifier: Apache-2.0") }) { missing.append(url.path) }
            }
        }
        XCTAssertGreaterThan(checked, 300)
        XCTAssertEqual(missing, [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("LICENSE").path))
    }
}
