// SPDX-License-Identifier: Apache-2.0
@testable import XLConfig

/// Compares `ConfigFile` with libxlutil on one text: both reject, or both accept with the same value (and the
/// same `xlu_cfg_get_long` reading) for every key.
enum Differential {
    /// Inputs where this parser deliberately differs from libxlutil: numeric string escapes (`\101`, `\x41`),
    /// which libxlutil drops or rejects, and a `#` comment ending the file without a newline, which it rejects.
    static func usesDeliberateDifference(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        for index in bytes.indices.dropLast() where bytes[index] == UInt8(ascii: "\\") {
            let next = bytes[index + 1]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) || next == UInt8(ascii: "x") { return true }
        }
        let lastLine = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).last ?? []
        return lastLine.contains(UInt8(ascii: "#"))
    }

    /// A mismatch description, or nil when both parsers agree. `keys` are extra keys to probe for absence.
    static func mismatch(_ text: String, probing extraKeys: [String] = []) -> String? {
        let ours = Result { () throws(ConfigSyntaxError) in try ConfigFile(parsing: text, source: "test.cfg") }
        let keys = Array(Set(((try? ours.get())?.keys ?? []) + extraKeys)).sorted()
        let theirs = LibXLUtil.parse(text, keys: keys)
        switch ours {
        case .failure(let error):
            return theirs.accepted ? "libxlutil accepts, we reject: \(error)" : nil
        case .success(let file):
            guard theirs.accepted else { return "we accept, libxlutil rejects: \(theirs.report)" }
            for key in keys {
                let mine = file[key]?.value.plain
                if theirs.values[key] != .some(mine) {
                    return "\(key): ours \(mine.map(\.description) ?? "absent"), libxlutil "
                        + "\(theirs.values[key].flatMap { $0 }.map(\.description) ?? "absent")"
                }
                let myLong = file[key].flatMap(Self.long)
                if theirs.longs[key] != .some(myLong) {
                    return "\(key): as a number ours \(myLong.map(String.init) ?? "none"), libxlutil "
                        + "\(theirs.longs[key].flatMap { $0 }.map(String.init) ?? "none")"
                }
            }
            return nil
        }
    }

    /// What `xlu_cfg_get_long` gives for a setting, computed with `CNumber`.
    private static func long(_ setting: ConfigSetting) -> Int? {
        guard setting.operation == .assign, let text = setting.value.string,
            case .value(let value, _) = CNumber.long(text)
        else { return nil }
        return Int(value)
    }
}
