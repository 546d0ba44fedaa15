// SPDX-License-Identifier: Apache-2.0
import XenTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Errno {
    /// The C `errno` left by the last failed call, or `EIO` when that call did not set it.
    static var current: Errno {
        let value = errno
        return value == 0 ? .EIO : Errno(rawValue: value)
    }

    /// Sets the C `errno` to zero before a call whose failure is read with ``current``.
    static func clear() { errno = 0 }
}
