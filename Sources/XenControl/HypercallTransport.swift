import XenSys
import XenTypes

/// Where encoded hypercalls go: the real privcmd device, or a test's recorder.
public protocol HypercallTransport: AnyObject {
    /// Issues `request`; throws the errno of a failed hypercall.
    func submit(_ request: HypercallRequest) throws(Errno)
}

/// The transport that issues hypercalls through libxencall and `/dev/xen/privcmd`.
public final class XenCallTransport: HypercallTransport {
    private let xencall: XenCall

    public init(_ xencall: XenCall) {
        self.xencall = xencall
    }

    /// Opens libxencall; throws its errno (`ENOENT` when Xen is not running here).
    public convenience init() throws(Errno) {
        self.init(try XenCall())
    }

    public func submit(_ request: HypercallRequest) throws(Errno) {
        var envelope = request.envelope
        _ = try xencall.call1(UInt32(request.hypercall), envelope: &envelope, payload: request.buffer,
                              handleOffset: request.handleOffset)
    }
}
