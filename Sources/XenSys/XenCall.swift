// SPDX-License-Identifier: Apache-2.0
import CXen
import XenTypes

/// A libxencall handle: hypercall-safe buffers and raw hypercalls through `/dev/xen/privcmd`.
public final class XenCall {
    private let handle: OpaquePointer

    /// `xencall_open`; throws the errno it left (`ENOENT` when there is no privcmd device).
    public init() throws(Errno) {
        Errno.clear()
        guard let handle = xencall_open(xlswift_quiet_logger(), 0) else { throw Errno.current }
        self.handle = handle
    }

    deinit { xencall_close(handle) }

    /// Issues `xencall1(op, &envelope)`, or `xencall2(op, command, &envelope)` when a `command` comes first (as
    /// `xen_version`'s), with `payload` in a second hypercall buffer.
    ///
    /// Both arrays are copied into `xencall_alloc_buffer` memory; the payload buffer's address is
    /// written little-endian into the envelope copy at `handleOffset` (when there is one). After the call
    /// both copies, which Xen may have written to, are copied back. Returns the hypercall's
    /// non-negative result; a negative one throws the errno libxencall set.
    public func call(_ op: UInt32, command: UInt64? = nil, envelope: inout [UInt8], payload: inout [UInt8], handleOffset: Int?) throws(Errno) -> Int32 {
        if let handleOffset { guard handleOffset >= 0, handleOffset + 8 <= envelope.count else { throw Errno.EINVAL } }
        let envelopeBuffer = try allocate(copying: envelope)
        defer { xencall_free_buffer(handle, envelopeBuffer) }
        let payloadBuffer = try allocate(copying: payload)
        defer { xencall_free_buffer(handle, payloadBuffer) }

        if let handleOffset {
            let payloadAddress = UInt64(UInt(bitPattern: payloadBuffer))
            for i in 0..<8 {
                envelopeBuffer.storeBytes(of: UInt8(truncatingIfNeeded: payloadAddress >> (8 * UInt64(i))),
                                          toByteOffset: handleOffset + i, as: UInt8.self)
            }
        }

        Errno.clear()
        let address = UInt64(UInt(bitPattern: envelopeBuffer))
        let result = command.map { xencall2(handle, op, $0, address) } ?? xencall1(handle, op, address)
        let callErrno = Errno.current
        envelope.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: envelopeBuffer, count: $0.count)) }
        payload.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: payloadBuffer, count: $0.count)) }
        guard result >= 0 else { throw callErrno }
        return result
    }

    /// A hypercall buffer holding a copy of `bytes` (at least one byte long).
    private func allocate(copying bytes: [UInt8]) throws(Errno) -> UnsafeMutableRawPointer {
        Errno.clear()
        guard let buffer = xencall_alloc_buffer(handle, max(bytes.count, 1)) else { throw Errno.current }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.copyMemory(from: base, byteCount: source.count) }
        }
        return buffer
    }
}
