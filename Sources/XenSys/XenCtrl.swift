// SPDX-License-Identifier: Apache-2.0
import CXen
import XenTypes

/// A libxenctrl handle: the running Xen's version word and its domain list.
public final class XenCtrl {
    let handle: OpaquePointer
    private let builderLogger: UnsafeMutablePointer<xentoollog_logger>?

    /// `xc_interface_open` with a quiet logger; throws the errno it left (`ENOENT` without Xen).
    /// With `builderLog`, libxenguest's domain-builder messages go to stderr (`xl -v`).
    public init(builderLog: Bool = false) throws(Errno) {
        let builderLogger = builderLog ? xlswift_stderr_builder_logger() : nil
        Errno.clear()
        guard let handle = xc_interface_open(xlswift_quiet_logger(), builderLogger ?? xlswift_quiet_logger(), 0) else {
            let failure = Errno.current
            if let builderLogger { xtl_logger_destroy(builderLogger) }
            throw failure
        }
        self.handle = handle
        self.builderLogger = builderLogger
    }

    deinit {
        xc_interface_close(handle)
        if let builderLogger { xtl_logger_destroy(builderLogger) }
    }

    /// The text of libxenctrl's last error (`xc_get_last_error`), which libxenguest sets when it fails
    /// (for example "xc_dom_find_loader: no loader found"); nil when there is none.
    func lastErrorMessage() -> String? {
        guard let last = xc_get_last_error(handle), last.pointee.code != XC_ERROR_NONE else { return nil }
        var message = last.pointee.message
        let text = withUnsafeBytes(of: &message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? nil : text
    }

    /// `xc_version(XENVER_version)`: `(major << 16) | minor`.
    public func version() throws(Errno) -> UInt32 {
        Errno.clear()
        let packed = xc_version(handle, XENVER_version, nil)
        guard packed >= 0 else { throw Errno.current }
        return UInt32(packed)
    }

    /// Every domain, in domid order, read with `xc_domain_getinfolist` in batches.
    public func domainInfos() throws(Errno) -> [XenDomainInfo] {
        let batch = 256
        var raw = [xc_domaininfo_t](repeating: xc_domaininfo_t(), count: batch)
        var result: [XenDomainInfo] = []
        var next: UInt32 = 0
        while true {
            Errno.clear()
            let count = raw.withUnsafeMutableBufferPointer {
                xc_domain_getinfolist(handle, next, UInt32(batch), $0.baseAddress)
            }
            guard count >= 0 else { throw Errno.current }
            result += raw.prefix(Int(count)).map(XenDomainInfo.init)
            guard Int(count) == batch, let last = result.last else { return result }
            next = UInt32(last.domid) + 1
        }
    }
}
