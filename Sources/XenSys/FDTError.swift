import CFdt

/// A libfdt call failed: the function, the `-FDT_ERR_*` code and, where known, the path involved.
public struct FDTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The negative libfdt code.
    public var code: Int32
    public var function: String
    public var path: String?

    public init(code: Int32, function: String, path: String? = nil) {
        self.code = code
        self.function = function
        self.path = path
    }

    /// The libfdt name, such as `FDT_ERR_BADMAGIC`.
    public var name: String { String(cString: fdt_strerror(code)) }

    public var description: String {
        if let path { return "\(function) \(path): \(name)" }
        return "\(function): \(name)"
    }

    /// Throws when `rc` is a libfdt error (negative).
    static func check(_ rc: Int32, _ function: String, path: String? = nil) throws(FDTError) {
        if rc < 0 { throw FDTError(code: rc, function: function, path: path) }
    }

    /// `FDT_ERR_NOTFOUND`.
    public static let notFound = -FDT_ERR_NOTFOUND
    /// `FDT_ERR_BADPHANDLE`.
    public static let badPhandle = -FDT_ERR_BADPHANDLE
    /// `FDT_ERR_BADOVERLAY`.
    public static let badOverlay = -FDT_ERR_BADOVERLAY
}
