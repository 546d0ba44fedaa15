// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// The command pages of `Docs/` read as man pages, and their examples run as written.
///
/// A command page is a page with a `## SYNOPSIS`. Its `## EXAMPLES` are indented blocks: a line starting
/// with `$ ` is a command (with the lines of a here-document it opens), the lines after it up to the next
/// command are what it prints (stdout and stderr), and a command followed by no such lines must succeed.
/// Each page's examples run in order in one bash, in a directory of their own, against a simulated host
/// (`XL_SIMULATE`, made before they start), with the tools just built first on `PATH`.
final class DocumentationExampleTests: XCTestCase {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs")
    static let sections = ["NAME", "SYNOPSIS", "OPTIONS", "EXAMPLES", "EXIT STATUS", "SEE ALSO"]

    /// One command of an example, what it should print, and where it is.
    struct Example {
        var page: String
        var line: Int
        var command: String
        var output: [String]
    }

    static func commandPages() throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted().compactMap { name in
            let text = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            return text.contains("\n## SYNOPSIS\n") ? (name, text) : nil
        }
    }

    /// The examples of a page's EXAMPLES section.
    static func examples(of page: String, _ text: String) -> [Example] {
        var examples: [Example] = []
        var inSection = false
        var heredoc: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("## ") {
                inSection = line == "## EXAMPLES"
                continue
            }
            guard inSection, line.hasPrefix("    ") else { continue }
            let content = String(line.dropFirst(4))
            if let end = heredoc {
                examples[examples.count - 1].command += "\n" + content
                if content == end { heredoc = nil }
            } else if content.hasPrefix("$ ") {
                let command = String(content.dropFirst(2))
                examples.append(Example(page: page, line: index + 1, command: command, output: []))
                if let range = command.range(of: "<<") {
                    heredoc = command[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " '\"-"))
                        .split(separator: " ").first.map(String.init)
                }
            } else if !examples.isEmpty {
                examples[examples.count - 1].output.append(content)
            }
        }
        return examples
    }

    func testEveryCommandPageHasTheSectionsOfAManPage() throws {
        let pages = try Self.commandPages()
        XCTAssertGreaterThan(pages.count, 8)
        for (name, text) in pages {
            let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
            for section in Self.sections {
                XCTAssertTrue(headings.contains(section), "Docs/\(name) has no ## \(section)")
            }
            XCTAssertFalse(Self.examples(of: name, text).isEmpty, "Docs/\(name): its EXAMPLES have no `$ ` command")
        }
    }

    func testEveryExampleRunsAsWritten() throws {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: products.appendingPathComponent("xl").path), "xl is not built next to the tests")
        try XCTSkipUnless(DeviceTreeTools.isAvailable, "dtc is not installed")
        let scripts = Self.docs.deletingLastPathComponent().appendingPathComponent("Scripts")
        for (name, text) in try Self.commandPages() {
            let examples = Self.examples(of: name, text)
            let directory = try DeviceTreeTools.scratch()
            var script = "cd '\(directory.path)' || exit 99\nxl list >/dev/null 2>&1 || exit 98\n"
            for (number, example) in examples.enumerated() {
                script += "printf '\\036%d\\n' \(number)\n{\n\(example.command)\n} 2>&1 </dev/null\nprintf '\\037%d\\n' $?\n"
            }
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = "\(products.path):\(scripts.path):/usr/sbin:/usr/bin:/sbin:/bin"
            environment["XL_SIMULATE"] = directory.appendingPathComponent("host").path
            environment["HOME"] = directory.path
            let file = directory.appendingPathComponent("examples.sh")
            try script.write(to: file, atomically: true, encoding: .utf8)
            let run = try GuestScript.Run(executable: "/bin/bash", arguments: [file.path], environment: environment)
            let result = run.wait()
            XCTAssertEqual(result.status, 0, "Docs/\(name): the examples' shell ended with \(result.status): \(result.stderr)")
            let outputs = Self.split(result.stdout.replacingOccurrences(of: directory.path + "/", with: ""))
            for (number, example) in examples.enumerated() {
                let place = "Docs/\(name):\(example.line): $ \(example.command.split(separator: "\n").first ?? "")"
                guard let (printed, status) = outputs[number] else {
                    XCTFail("\(place): did not run")
                    continue
                }
                if example.output.isEmpty {
                    XCTAssertEqual(status, 0, "\(place): exit \(status), printed:\n\(printed.joined(separator: "\n"))")
                } else {
                    XCTAssertEqual(printed, example.output.map { $0.trimmingTrailingSpaces() }, "\(place): prints something else")
                }
            }
        }
    }

    /// The output and exit status of each command, from the markers the script prints around it.
    static func split(_ output: String) -> [Int: ([String], Int32)] {
        var results: [Int: ([String], Int32)] = [:]
        var current: Int?
        var lines: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("\u{1e}"), let number = Int(line.dropFirst()) {
                current = number
                lines = []
            } else if let mark = line.firstIndex(of: "\u{1f}"), let status = Int32(line[line.index(after: mark)...]), let number = current {
                // Output without a final newline ends on the marker's line.
                if mark > line.startIndex { lines.append(String(line[..<mark]).trimmingTrailingSpaces()) }
                results[number] = (lines, status)
                current = nil
            } else if current != nil {
                lines.append(String(line).trimmingTrailingSpaces())
            }
        }
        return results
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
