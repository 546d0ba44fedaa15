// SPDX-License-Identifier: Apache-2.0
/// A POSIX error number as Xen, libxenctrl and xenstored return them, with its C name.
public struct Errno: RawRepresentable, Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let EPERM = Errno(rawValue: 1)
    public static let ENOENT = Errno(rawValue: 2)
    public static let ESRCH = Errno(rawValue: 3)
    public static let EINTR = Errno(rawValue: 4)
    public static let EIO = Errno(rawValue: 5)
    public static let ENXIO = Errno(rawValue: 6)
    public static let E2BIG = Errno(rawValue: 7)
    public static let EBADF = Errno(rawValue: 9)
    public static let EAGAIN = Errno(rawValue: 11)
    public static let ENOMEM = Errno(rawValue: 12)
    public static let EACCES = Errno(rawValue: 13)
    public static let EFAULT = Errno(rawValue: 14)
    public static let EBUSY = Errno(rawValue: 16)
    public static let EEXIST = Errno(rawValue: 17)
    public static let ENODEV = Errno(rawValue: 19)
    public static let ENOTDIR = Errno(rawValue: 20)
    public static let EISDIR = Errno(rawValue: 21)
    public static let EINVAL = Errno(rawValue: 22)
    public static let ENOSPC = Errno(rawValue: 28)
    public static let ERANGE = Errno(rawValue: 34)
    public static let ENOSYS = Errno(rawValue: 38)
    public static let ENOTEMPTY = Errno(rawValue: 39)
    public static let ENODATA = Errno(rawValue: 61)
    public static let EOVERFLOW = Errno(rawValue: 75)
    public static let EOPNOTSUPP = Errno(rawValue: 95)
    public static let EADDRNOTAVAIL = Errno(rawValue: 99)
    public static let ETIMEDOUT = Errno(rawValue: 110)
    public static let EQUOTA = Errno(rawValue: 122)

    private static let table: [Int32: (String, String)] = [
        1: ("EPERM", "Operation not permitted"),
        2: ("ENOENT", "No such file or directory"),
        3: ("ESRCH", "No such process"),
        4: ("EINTR", "Interrupted system call"),
        5: ("EIO", "Input/output error"),
        6: ("ENXIO", "No such device or address"),
        7: ("E2BIG", "Argument list too long"),
        9: ("EBADF", "Bad file descriptor"),
        11: ("EAGAIN", "Resource temporarily unavailable"),
        12: ("ENOMEM", "Cannot allocate memory"),
        13: ("EACCES", "Permission denied"),
        14: ("EFAULT", "Bad address"),
        16: ("EBUSY", "Device or resource busy"),
        17: ("EEXIST", "File exists"),
        19: ("ENODEV", "No such device"),
        20: ("ENOTDIR", "Not a directory"),
        21: ("EISDIR", "Is a directory"),
        22: ("EINVAL", "Invalid argument"),
        28: ("ENOSPC", "No space left on device"),
        34: ("ERANGE", "Numerical result out of range"),
        38: ("ENOSYS", "Function not implemented"),
        39: ("ENOTEMPTY", "Directory not empty"),
        61: ("ENODATA", "No data available"),
        75: ("EOVERFLOW", "Value too large for defined data type"),
        95: ("EOPNOTSUPP", "Operation not supported"),
        99: ("EADDRNOTAVAIL", "Cannot assign requested address"),
        110: ("ETIMEDOUT", "Connection timed out"),
        122: ("EQUOTA", "Disk quota exceeded"),
    ]

    /// The C name, such as `EINVAL`, or `errno N` for numbers without one here.
    public var name: String { Self.table[rawValue]?.0 ?? "errno \(rawValue)" }
    /// The `strerror` text.
    public var message: String { Self.table[rawValue]?.1 ?? "Unknown error \(rawValue)" }
    /// `EINVAL (Invalid argument)`.
    public var description: String { "\(name) (\(message))" }

    /// Looks an errno up by its C name (`EINVAL`), as the xenstore wire protocol spells them.
    public init?(name: String) {
        guard let entry = Self.table.first(where: { $0.value.0 == name }) else { return nil }
        self.init(rawValue: entry.key)
    }
}
