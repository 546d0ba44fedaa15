// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// The xenstore nodes, values and limits of the overlay hand-off (see `Docs/overlay-handoff.md`).
///
/// Everything lives under the domU's `data/overlay`. The receiver (the domU's `get_overlay`)
/// writes the `receiver-*` nodes and `page-refs`, which it owns; the sender (`xl` in dom0) writes
/// the others and gives them to dom0, readable by the domU.
public enum HandoffNodes {
    /// The hand-off directory, relative to the domU's home.
    public static let directory = "data/overlay"

    /// The absolute hand-off directory of `domain`.
    public static func base(of domain: DomainID) -> String { "/local/domain/\(domain.rawValue)/\(directory)" }

    /// The dom0-only directory of hand-off slots, one node per domU with a hand-off under way.
    public static let lockRoot = "/libxl/dt-overlay-handoff"
    /// A domU's hand-off slot; `xl destroy` removes it with the domain, even when a killed `xl` left it.
    public static func lock(of domain: DomainID) -> String { "\(lockRoot)/\(domain.rawValue)" }

    // Written by the receiver.
    public static let receiverStatus = "receiver-status"
    public static let receiverRequest = "receiver-request"
    public static let pageRefs = "page-refs"
    public static let receiverError = "receiver-error"
    public static let receiverNodes = [receiverStatus, receiverRequest, pageRefs, receiverError]

    // Written by the sender.
    public static let request = "request"
    public static let senderStatus = "sender-status"
    public static let operation = "overlay-operation"
    public static let size = "overlay-size"
    public static let pages = "overlay-pages"
    public static let name = "overlay-name"
    public static let type = "overlay-type"
    public static let partial = "overlay-partial"
    public static let senderError = "sender-error"
    public static let senderNodes = [request, senderStatus, operation, size, pages, name, type, partial, senderError]

    /// The largest overlay: Xen's `DT_OVERLAY_MAX_SIZE`.
    public static let maximumSize = 512_000
    /// The most pages an overlay takes.
    public static let maximumPages = GrantPage.count(for: maximumSize)
    /// The longest text of one grant reference and its comma (`4294967295,`).
    public static let maximumReferenceText = 11
    /// The longest error text either side writes or reads back.
    public static let maximumErrorLength = 200
    /// The longest status or request id read back.
    public static let maximumWordLength = 32
    /// How long each wait lasts unless told otherwise, in seconds.
    public static let defaultTimeout = 30.0
}

/// What the receiver reports in `receiver-status`.
public enum ReceiverStatus: String, Sendable {
    /// Ready for a request (no request id yet).
    case waiting
    /// Pages shared, their references in `page-refs`.
    case pageRefs = "page-refs"
    /// The overlay was copied out, checked and stored; waiting for dom0's go-ahead.
    case received
    /// The overlay was applied (add).
    case applied
    /// The overlay was removed (remove).
    case removed
    /// The receiver gave up; `receiver-error` says why.
    case error
}

/// What the sender reports in `sender-status`.
public enum SenderStatus: String, Sendable {
    /// The slot is claimed, the request is not written yet.
    case notReady = "not_ready"
    /// The request (operation, size, page count, name, type, partial) is written.
    case ready
    /// The overlay is in the pages.
    case done
    /// Xen has the devices: apply the overlay.
    case apply
    /// The sender gave up; `sender-error` says why.
    case error
}

/// What a hand-off asks the guest to do.
public enum HandoffOperation: String, Sendable {
    case add, remove
}

extension String {
    /// Printable ASCII only, at most `limit` characters: text read from the other side, fit for one line.
    func sanitized(limit: Int = HandoffNodes.maximumErrorLength) -> String {
        let lines = split(whereSeparator: \.isNewline).joined(separator: "; ")
        return String(String.UnicodeScalarView(lines.unicodeScalars.prefix(limit).map { $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
    }
}
