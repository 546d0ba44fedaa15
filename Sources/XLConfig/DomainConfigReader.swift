// SPDX-License-Identifier: Apache-2.0
/// Reads keys of a `ConfigFile` the way xl's getters do, turning every misuse into a one-line `DomainConfigError`.
struct DomainConfigReader {
    let file: ConfigFile
    private(set) var warnings: [String] = []

    init(file: ConfigFile) {
        self.file = file
    }

    func error(_ key: String, _ message: String) -> DomainConfigError {
        DomainConfigError(location: file[key]?.location ?? file.source, key: key, message: message)
    }

    func error(_ key: String, at value: ConfigValue, _ message: String) -> DomainConfigError {
        DomainConfigError(location: location(key, at: value), key: key, message: message)
    }

    /// `file:line:column` of a value (such as a list item) of `key`.
    func location(_ key: String, at value: ConfigValue) -> String {
        "\(file[key]?.source ?? file.source):\(value.position)"
    }

    mutating func warn(_ key: String, _ message: String) {
        warnings.append("\(file[key]?.location ?? file.source): \(key): warning: \(message)")
    }

    /// A warning about one value (such as a list item) of `key`.
    mutating func warn(_ key: String, at value: ConfigValue, _ message: String) {
        warnings.append("\(location(key, at: value)): \(key): warning: \(message)")
    }

    /// A single value (`xlu_cfg_get_string`); a list is an error.
    func string(_ key: String) throws(DomainConfigError) -> String? {
        guard let setting = file[key] else { return nil }
        guard let text = setting.value.string else {
            throw error(key, "expected a single value, found a list \(setting.value.plain)")
        }
        return text
    }

    /// A list of single values (`xlu_cfg_get_list` + `xlu_cfg_get_listitem`); nested lists are errors.
    func list(_ key: String, example: String) throws(DomainConfigError) -> [(text: String, value: ConfigValue)]? {
        guard let setting = file[key] else { return nil }
        guard let items = setting.value.list else {
            throw error(key, "expected a list such as \(example), found a single value \(setting.value.plain)")
        }
        var result: [(text: String, value: ConfigValue)] = []
        for item in items {
            guard let text = item.string else {
                throw error(key, at: item, "expected single values in the list, found a nested list \(item.plain)")
            }
            result.append((text, item))
        }
        return result
    }

    /// A number as `xlu_cfg_get_long` reads it (C `strtol` base 0: `0x10` is 16 and `010` is 8), within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int64>, meaning: String) throws(DomainConfigError) -> Int64? {
        guard let text = try string(key) else { return nil }
        let allowed = "expected \(meaning) from \(range.lowerBound) to \(range.upperBound)"
        if file[key]?.operation == .append {
            throw error(key, "cannot use += with a number; \(allowed)")
        }
        switch CNumber.long(text) {
        case .notANumber:
            throw error(key, "\(allowed), found \(ConfigQuoting.quoted(text))")
        case .outOfRange:
            throw error(key, "\(allowed), found \(text), which is out of range")
        case .value(let value, let base):
            guard range.contains(value) else { throw error(key, "\(allowed), found \(text)") }
            if base == 8 && value != 0 {
                warn(key, "\(text) has a leading zero, so it is octal for \(value), as in xl")
            }
            return value
        }
    }

    /// One of `T`'s raw values, compared without regard to ASCII case (libxl's `*_from_string`).
    func caseInsensitive<T: RawRepresentable & CaseIterable>(
        _ key: String, as type: T.Type
    ) throws(DomainConfigError) -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        let lowered = ASCII.lowercased(text)
        guard let value = T.allCases.first(where: { $0.rawValue == lowered }) else {
            throw error(key, "expected one of \(Self.names(T.allCases.map(\.rawValue))), found \(ConfigQuoting.quoted(text))")
        }
        return value
    }

    /// `"a", "b" or "c"`.
    static func names(_ names: [String]) -> String {
        let quoted = names.map { "\"\($0)\"" }
        guard quoted.count > 1 else { return quoted.joined() }
        return quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
    }
}
