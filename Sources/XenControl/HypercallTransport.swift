// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// Where encoded hypercalls go: the real privcmd device, or a test's recorder.
public protocol HypercallTransport: AnyObject {
    /// Issues `request` and returns what Xen wrote back; throws the errno of a failed hypercall.
    @discardableResult
    func submit(_ request: HypercallRequest) throws(Errno) -> HypercallReply
}

/// What a hypercall gave back: its non-negative result, and the envelope and buffer as Xen left them.
public struct HypercallReply: Hashable, Sendable {
    public var result: Int
    public var envelope: [UInt8]
    public var buffer: [UInt8]

    public init(result: Int, envelope: [UInt8], buffer: [UInt8]) {
        self.result = result
        self.envelope = envelope
        self.buffer = buffer
    }
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

    public func submit(_ request: HypercallRequest) throws(Errno) -> HypercallReply {
        var envelope = request.envelope
        var buffer = request.buffer
        let result = try xencall.call(UInt32(request.hypercall), command: request.command, envelope: &envelope, payload: &buffer,
                                      handleOffset: request.handleOffset)
        return HypercallReply(result: Int(result), envelope: envelope, buffer: buffer)
    }
}
