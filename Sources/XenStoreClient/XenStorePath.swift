// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// Path rules of xenstored 4.17: canonical form, allowed characters and lengths.
enum XenStorePath {
    /// Longest path below `/local/domain/<id>/` (or whole path elsewhere), the daemon's `path-max` quota.
    static let maxLength = 2048
    /// Largest request payload (`XENSTORE_PAYLOAD_MAX`); libxenstore refuses bigger ones with `E2BIG`.
    static let maxPayload = 4096

    /// Whether xenstored accepts `byte` in a path: letters, digits and `-/_@`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "@"):
            true
        default: false
        }
    }

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
            return !name.isEmpty && name.allSatisfy { isAllowed($0) && $0 != UInt8(ascii: "/") } ? path : nil
        }
        return canonical(path, caller: caller)
    }

    /// Absolute, allowed characters only, no empty component (`//` or a trailing `/` but for the root), and
    /// within the length limit: one pass over the bytes.
    private static func isValid(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        var previous: UInt8 = 0
        var count = 0
        for byte in path.utf8 {
            guard isAllowed(byte), count > 0 || byte == slash, !(byte == slash && previous == slash) else { return false }
            previous = byte
            count += 1
        }
        guard count > 0, count == 1 || previous != slash else { return false }
        return count - localPrefixLength(path) <= maxLength
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
