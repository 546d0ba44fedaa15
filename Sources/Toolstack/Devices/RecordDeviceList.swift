// SPDX-License-Identifier: Apache-2.0
/// Adds and removes devices in a recorded configuration (libxl's compact JSON at `/libxl/<domid>/libxl-json`,
/// as `device_add_domain_config` and the remove path keep it), leaving every other member as it was written.
///
/// Only the top-level object is split into members and the device array into items; everything else stays
/// the text it was.
enum RecordDeviceList {
    /// `record` with `item` (compact JSON) appended to the array `key` (`disks`, `nics`), which is created
    /// after `c_info`/`b_info` when missing; nil when the record is not a JSON object.
    static func adding(_ item: String, to key: String, in record: String) -> String? {
        guard var members = topLevel(record, open: 0x7b, close: 0x7d) else { return nil }
        if let index = members.firstIndex(where: { $0.key == key }) {
            guard var items = topLevel(members[index].value, open: 0x5b, close: 0x5d) else { return nil }
            items.append((key: nil, value: item))
            members[index].value = "[" + items.map(\.value).joined(separator: ",") + "]"
        } else {
            members.append((key, "[\(item)]"))
        }
        return render(members)
    }

    /// `record` without the items of `key` for which `matches` holds on the item's text; nil when not a JSON object.
    static func removing(from key: String, in record: String, where matches: (String) -> Bool) -> String? {
        guard var members = topLevel(record, open: 0x7b, close: 0x7d) else { return nil }
        guard let index = members.firstIndex(where: { $0.key == key }) else { return record }
        guard let items = topLevel(members[index].value, open: 0x5b, close: 0x5d) else { return nil }
        let kept = items.filter { !matches($0.value) }
        if kept.isEmpty { members.remove(at: index) } else { members[index].value = "[" + kept.map(\.value).joined(separator: ",") + "]" }
        return render(members)
    }

    /// The items of the array `key`, as text; empty when there is none.
    static func items(of key: String, in record: String) -> [String] {
        guard let members = topLevel(record, open: 0x7b, close: 0x7d), let list = members.first(where: { $0.key == key }),
            let items = topLevel(list.value, open: 0x5b, close: 0x5d)
        else { return [] }
        return items.map(\.value)
    }

    private static func render(_ members: [(key: String?, value: String)]) -> String {
        "{" + members.map { "\"\($0.key ?? "")\":\($0.value)" }.joined(separator: ",") + "}"
    }

    /// The members of an object (key and value text) or the items of an array (value text), one level deep.
    private static func topLevel(_ text: String, open: UInt8, close: UInt8) -> [(key: String?, value: String)]? {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x0a || bytes[start] == 0x09 || bytes[start] == 0x0d { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x0a || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0d { end -= 1 }
        guard end - start >= 2, bytes[start] == open, bytes[end - 1] == close else { return nil }
        var pieces: [[UInt8]] = []
        var current: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes[(start + 1)..<(end - 1)] {
            if inString {
                current.append(byte)
                if escaped { escaped = false } else if byte == 0x5c { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7b, 0x5b: depth += 1
            case 0x7d, 0x5d: depth -= 1
            case 0x2c where depth == 0:
                pieces.append(current)
                current = []
                continue
            default: break
            }
            guard depth >= 0 else { return nil }
            current.append(byte)
        }
        guard depth == 0, !inString else { return nil }
        if !current.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) || !pieces.isEmpty { pieces.append(current) }
        var result: [(key: String?, value: String)] = []
        for piece in pieces {
            let text = String(decoding: piece, as: UTF8.self).trimmingSpaces
            guard open == 0x7b else {
                result.append((nil, text))
                continue
            }
            // "key":value, the key a plain string (libxl's keys have no escapes).
            guard text.hasPrefix("\""), let close = text.dropFirst().firstIndex(of: "\"") else { return nil }
            let key = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...].trimmingSpaces
            guard rest.hasPrefix(":") else { return nil }
            result.append((key, String(rest.dropFirst()).trimmingSpaces))
        }
        return result
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
