// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// Path rules of xenstored 4.17: canonical form, allowed characters and lengths.
enum XenStorePath {
    /// Longest path below `/local/domain/<id>/` (or whole path elsewhere), the daemon's `path-max` quota.
    static let maxLength = 2048
    /// Largest request payload (`XENSTORE_PAYLOAD_MAX`); libxenstore refuses bigger ones with `E2BIG`.
    static let maxPayload = 4096

    private static let allowed: Set<UInt8> = Set(
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@".utf8))

    /// `/local/domain/<id>`, the home of a domain and the base of its relative paths.
    static func home(of domain: DomainID) -> String { "/local/domain/\(domain.rawValue)" }

    /// The absolute form of a node path, or `nil` when the daemon answers `EINVAL`.
    static func canonical(_ path: String, caller: DomainID) -> String? {
        let absolute = path.hasPrefix("/") || path.hasPrefix("@") ? path : home(of: caller) + "/" + path
        return isValid(absolute) ? absolute : nil
    }

    /// The absolute form of a watch path; `@introduceDomain`-style special names are allowed too.
    static func canonicalWatch(_ path: String, caller: DomainID) -> String? {
        if path.hasPrefix("@") {
            let name = path.utf8.dropFirst()
            return !name.isEmpty && name.allSatisfy { allowed.contains($0) && $0 != UInt8(ascii: "/") } ? path : nil
        }
        return canonical(path, caller: caller)
    }

    private static func isValid(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path == "/" || !path.hasSuffix("/"), !path.contains("//"),
            path.utf8.allSatisfy({ allowed.contains($0) })
        else { return false }
        return path.utf8.count - localPrefixLength(path) <= maxLength
    }

    /// The length of a leading `/local/domain/<up to 5 digits>/`, which the length limit does not count.
    private static func localPrefixLength(_ path: String) -> Int {
        let prefix = "/local/domain/"
        guard path.hasPrefix(prefix) else { return 0 }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard (1...5).contains(digits.count), rest.dropFirst(digits.count).first == UInt8(ascii: "/") else { return 0 }
        return prefix.utf8.count + digits.count + 1
    }

    /// The path a watch event reports: relative to the watcher's home when the watch was given relative.
    static func reported(_ absolute: String, relative: Bool, caller: DomainID) -> String {
        guard relative else { return absolute }
        let home = home(of: caller) + "/"
        return absolute.hasPrefix(home) ? String(absolute.dropFirst(home.count)) : absolute
    }

    /// Whether `path` is `ancestor` or below it.
    static func isAtOrBelow(_ path: String, _ ancestor: String) -> Bool {
        if ancestor == "/" { return path.hasPrefix("/") }
        return path == ancestor || path.hasPrefix(ancestor + "/")
    }
}
