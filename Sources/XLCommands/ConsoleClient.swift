#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import XenTypes

/// How `xl create -c` attaches to a guest's console on real Xen: as xl's `libxl_console_exec`, it replaces
/// itself with `xenconsole DOMID --num 0 --type pv`, the client of xenconsoled that ships with the tools.
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

    /// The command line xl runs for the primary console of a PV or PVH guest.
    static func arguments(_ path: String, domain: DomainID) -> [String] {
        [path, String(domain.rawValue), "--num", "0", "--type", "pv"]
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
