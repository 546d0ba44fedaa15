import CXen
import XenTypes

/// A libxenctrl handle: the running Xen's version word and its domain list.
public final class XenCtrl {
    let handle: OpaquePointer

    /// `xc_interface_open` with a quiet logger; throws the errno it left (`ENOENT` without Xen).
    public init() throws(Errno) {
        Errno.clear()
        guard let handle = xc_interface_open(xlswift_quiet_logger(), xlswift_quiet_logger(), 0) else { throw Errno.current }
        self.handle = handle
    }

    deinit { xc_interface_close(handle) }

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
