// SPDX-License-Identifier: Apache-2.0
import CFdt

/// A libfdt call failed: the function, the `-FDT_ERR_*` code and, where known, the path involved.
public struct FDTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The negative libfdt code.
    public var code: Int32
    public var function: String
    public var path: String?
    /// What the Swift-side structure check found, naming the node or offset; `nil` for libfdt's own errors.
    public var detail: String?

    public init(code: Int32, function: String, path: String? = nil, detail: String? = nil) {
        self.code = code
        self.function = function
        self.path = path
        self.detail = detail
    }

    /// The libfdt name, such as `FDT_ERR_BADMAGIC`.
    public var name: String { String(cString: fdt_strerror(code)) }

    public var description: String {
        if let detail { return detail }
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
    /// `FDT_ERR_TRUNCATED`.
    public static let truncated = -FDT_ERR_TRUNCATED
    /// `FDT_ERR_BADMAGIC`.
    public static let badMagic = -FDT_ERR_BADMAGIC
    /// `FDT_ERR_BADVERSION`.
    public static let badVersion = -FDT_ERR_BADVERSION
    /// `FDT_ERR_BADOFFSET`.
    public static let badOffset = -FDT_ERR_BADOFFSET
    /// `FDT_ERR_BADSTRUCTURE`.
    public static let badStructure = -FDT_ERR_BADSTRUCTURE
    /// `FDT_ERR_BADOVERLAY`.
    public static let badOverlay = -FDT_ERR_BADOVERLAY
}
