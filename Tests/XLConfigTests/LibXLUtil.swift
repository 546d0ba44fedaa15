// SPDX-License-Identifier: Apache-2.0
import CXLUtil
import Glibc
import XLConfig

/// libxlutil, the C parser `xl` uses, driven from Swift as the oracle for `ConfigFile`.
enum LibXLUtil {
    /// What libxlutil made of a config text.
    struct Outcome {
        /// `xlu_cfg_readdata`'s return value (0 or an errno).
        var status: Int32
        /// Everything written to the report stream.
        var report: String
        /// For each requested key: nil when absent, else the value as `xlu_cfg_get_*` see it.
        var values: [String: PlainConfigValue?]
        /// For each requested key: whether `xlu_cfg_get_long` accepted it, and the number.
        var longs: [String: Int?]

        var accepted: Bool { status == 0 }
    }

    /// Parses `text` with `xlu_cfg_readdata` and reads `keys` back through the public getters.
    static func parse(_ text: String, keys: [String], source: String = "test.cfg") -> Outcome {
        guard let report = tmpfile() else { return Outcome(status: -1, report: "tmpfile failed", values: [:], longs: [:]) }
        defer { fclose(report) }
        guard let config = xlu_cfg_init(report, source) else {
            return Outcome(status: -1, report: "xlu_cfg_init failed", values: [:], longs: [:])
        }
        defer { xlu_cfg_destroy(config) }
        let bytes = Array(text.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xlu_cfg_readdata(config, $0.baseAddress, Int32($0.count)) }
        }
        var values: [String: PlainConfigValue?] = [:]
        var longs: [String: Int?] = [:]
        if status == 0 {
            for key in keys {
                values[key] = value(config, key)
                var number = 0
                longs[key] = xlu_cfg_get_long(config, key, &number, 1) == 0 ? number : nil
            }
        }
        return Outcome(status: status, report: read(report), values: values, longs: longs)
    }

    private static func value(_ config: OpaquePointer, _ key: String) -> PlainConfigValue? {
        var string: UnsafePointer<CChar>?
        if xlu_cfg_get_string(config, key, &string, 1) == 0, let string {
            return .string(String(cString: string))
        }
        var list: OpaquePointer?
        var count: Int32 = 0
        guard xlu_cfg_get_list(config, key, &list, &count, 1) == 0, let list else { return nil }
        return .list(items(config, list, count))
    }

    private static func items(_ config: OpaquePointer, _ list: OpaquePointer, _ count: Int32) -> [PlainConfigValue] {
        (0..<count).compactMap { index in
            guard let item = xlu_cfg_get_listitem2(list, index) else { return nil }
            if xlu_cfg_value_type(item) == XLU_STRING {
                var string: UnsafeMutablePointer<CChar>?
                guard xlu_cfg_value_get_string(config, item, &string, 1) == 0, let string else { return nil }
                return .string(String(cString: string))
            }
            var inner: OpaquePointer?
            guard xlu_cfg_value_get_list(config, item, &inner, 1) == 0, let inner else { return nil }
            return .list(items(config, inner, Int32(countItems(inner))))
        }
    }

    private static func countItems(_ list: OpaquePointer) -> Int {
        var count = 0
        while xlu_cfg_get_listitem2(list, Int32(count)) != nil { count += 1 }
        return count
    }

    private static func read(_ file: UnsafeMutablePointer<FILE>) -> String {
        rewind(file)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
