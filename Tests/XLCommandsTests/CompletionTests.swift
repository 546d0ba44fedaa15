// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import XCTest

/// `xl --generate-completion-script bash|zsh|fish`: each script loads in its shell, and completes subcommands,
/// global options and (from `xl list`, here on a simulated host) domain names.
final class CompletionTests: XCTestCase {
    private func shell(_ executable: String, _ script: String, environment: [String: String] = [:]) throws -> GuestScript.Run.Result {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try GuestScript.Run(executable: executable, arguments: ["-c", script], environment: merged).wait()
    }

    /// The script for `shell`, written to a file, and an environment whose PATH finds this build's `xl` first and
    /// whose `xl list` shows a simulated host with dom0 and a domain called web.
    private func setUp(_ name: String) throws -> (script: String, environment: [String: String]) {
        let shellPath = "/usr/bin/\(name)"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: shellPath), "\(name) is not installed (Scripts/setup.sh installs it)")
        let binary = try XCTUnwrap(XLRunner.binary)
        let xl = try XLRunner()
        try xl.withHost { host in
            let id = host.hypervisor.addDomain(memoryKiB: 262_144, vcpus: 1, directMapped: false, iommu: true)
            try host.xenstore.write("/local/domain/\(id)/name", string: "web")
        }
        let generated = xl("--generate-completion-script", name)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let file = xl.scratch.appendingPathComponent("xl.\(name)").path
        try generated.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let path = binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return (file, ["PATH": path, "XL_SIMULATE": xl.directory])
    }

    func testBashCompletesSubcommandsOptionsAndDomains() throws {
        let (script, environment) = try setUp("bash")
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let result = try shell("/usr/bin/bash", """
                source '\(script)' || exit 3
                COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_LINE="\(words.joined(separator: " "))"; COMP_POINT=${#COMP_LINE}
                _xl xl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """, environment: environment)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").map(String.init)
        }
        XCTAssertTrue(try complete(["xl", "dt-"]).contains("dt-overlay"))
        XCTAssertTrue(try complete(["xl", "--sim"]).contains("--simulate"))
        XCTAssertEqual(Set(try complete(["xl", "pause", ""])).intersection(["Domain-0", "web"]), ["Domain-0", "web"])
    }

    func testFishCompletesSubcommandsOptionsAndDomains() throws {
        let (script, environment) = try setUp("fish")
        func complete(_ line: String) throws -> [String] {
            let result = try shell("/usr/bin/fish", "source '\(script)'; or exit 3; complete -C '\(line)'", environment: environment)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        }
        XCTAssertTrue(try complete("xl dt-").contains("dt-overlay"))
        XCTAssertTrue(try complete("xl --sim").contains("--simulate"))
        XCTAssertEqual(Set(try complete("xl pause ")).intersection(["Domain-0", "web"]), ["Domain-0", "web"])
    }

    func testZshLoadsTheScript() throws {
        let (script, environment) = try setUp("zsh")
        let result = try shell("/usr/bin/zsh", "autoload -U compinit && compinit -u && source '\(script)' && print -r -- ${_comps[xl]}",
            environment: environment.merging(["ZDOTDIR": NSTemporaryDirectory()]) { $1 })
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "_xl\n")
    }
}
