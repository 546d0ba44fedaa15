// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Toolstack
import XenTypes

/// How `xl console` and `xl create -c` attach to a guest's console on real Xen: as libxl's `libxl_console_exec`,
/// `xl` replaces itself with `xenconsole DOMID --num N --type pv|vuart [--escape E]`, the client of xenconsoled
/// that ships with the tools (in every release from 4.17 on it takes `--escape`).
enum ConsoleClient {
    /// Where `xenconsole` may be, in order: `XL_XENCONSOLE`, the Debian layout for the running release
    /// (`/usr/lib/xen-M.m/bin`), then upstream's default `LIBEXEC_BIN` for /usr and /usr/local prefixes.
    static func candidates(version: XenVersion, environment: [String: String]) -> [String] {
        var paths: [String] = []
        if let path = environment["XL_XENCONSOLE"], !path.isEmpty { paths.append(path) }
        paths.append("/usr/lib/xen-\(version.major).\(version.minor)/bin/xenconsole")
        paths += ["/usr/libexec/xen/bin/xenconsole", "/usr/lib/xen/bin/xenconsole", "/usr/local/libexec/xen/bin/xenconsole"]
        return paths
    }

    /// The first candidate that is an executable file.
    static func locate(version: XenVersion, environment: [String: String],
                       isExecutable: (String) -> Bool = { access($0, X_OK) == 0 }) -> String? {
        candidates(version: version, environment: environment).first(where: isExecutable)
    }

    /// The command line xl runs for `console`, with the escape sequence when one was given.
    static func arguments(_ path: String, _ console: ConsoleTarget, escape: String? = nil) -> [String] {
        [path, String(console.domain.rawValue), "--num", String(console.number), "--type", console.type.rawValue]
            + (escape.map { ["--escape", $0] } ?? [])
    }

    /// Whether xenconsole accepts `text` as its escape sequence: one character, or `^` and one character (Ctrl-that).
    static func isValidEscape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 1 || (bytes.count == 2 && bytes[0] == UInt8(ascii: "^"))
    }

    /// `execv`: on success it does not return; otherwise the errno it failed with.
    static func exec(_ arguments: [String]) -> Errno {
        guard let path = arguments.first else { return .EINVAL }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        execv(path, &argv)
        return Errno(rawValue: errno)
    }
}
