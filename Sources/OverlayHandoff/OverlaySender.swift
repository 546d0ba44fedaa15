// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenControl
import XenStoreClient
import XenTypes

/// dom0's half of the overlay hand-off: gives a domU's `get_overlay` the overlay to add, or asks
/// it to remove one, and waits for its answer (see `Docs/overlay-handoff.md`).
///
/// Every value the domU wrote is checked before use: statuses against the step, the request id
/// against this hand-off's, `page-refs` against the page count dom0 computed itself. Every wait
/// ends after `timeout` seconds. ``finish()`` removes the nodes and frees the slot.
public final class OverlaySender {
    public let domain: DomainID
    public let request: GuestOverlayRequest
    /// This hand-off's request id: 16 hex digits, fresh for every hand-off.
    public let id: String
    private let xenstore: any XenStore
    private let timeout: Double
    private let log: (String) -> Void
    private let base: String
    private var lock: HandoffLock?
    private var watch: NodeWatch?
    /// The sender nodes this hand-off wrote and gave to dom0: written again, they keep their permissions.
    private var owned: Set<String> = []

    /// Claims the domU's hand-off slot and waits until its receiver says `waiting`.
    public init(
        xenstore: any XenStore, domain: DomainID, request: GuestOverlayRequest, timeout: Double = HandoffNodes.defaultTimeout,
        log: @escaping (String) -> Void = { _ in }
    ) throws {
        self.xenstore = xenstore
        self.domain = domain
        self.request = request
        self.timeout = timeout
        self.log = log
        base = HandoffNodes.base(of: domain)
        let random = UInt64.random(in: 1...UInt64.max)
        let hex = String(random, radix: 16)
        id = String(repeating: "0", count: 16 - hex.count) + hex
        lock = try HandoffLock.take(xenstore, domain: domain, request: id, seconds: 6 * timeout + 60)
        do {
            try writeSender([(HandoffNodes.request, id), (HandoffNodes.senderStatus, SenderStatus.notReady.rawValue)], clearing: true)
            watch = try NodeWatch(xenstore, path: "\(base)/\(HandoffNodes.receiverStatus)", token: "xl-overlay-\(id)")
            let ready = try watch?.wait(timeout: timeout) { () throws -> Bool? in
                try self.receiverStatus() == .waiting ? true : nil
            }
            guard ready != nil else {
                throw HandoffError("domain \(domain) did not say it is waiting for an overlay within \(Self.seconds(timeout)): run get_overlay.sh (or get_overlay) in the guest first")
            }
            log("hand-off \(id): domain \(domain)'s get_overlay is waiting")
        } catch {
            finish()
            throw error
        }
    }

    /// Puts `blob` into pages the receiver shares, and waits until it has copied, checked and
    /// stored it (`received`). Nothing is applied yet.
    public func deliver(_ blob: [UInt8], mapper: () throws -> any GrantMapper) throws {
        guard !blob.isEmpty, blob.count <= HandoffNodes.maximumSize else {
            throw HandoffError("the overlay is \(blob.count) bytes; the hand-off carries 1 to \(HandoffNodes.maximumSize)")
        }
        let pages = GrantPage.count(for: blob.count)
        try writeRequest(.add, size: blob.count, pages: pages)
        try expect(.pageRefs, keepingOn: [.waiting], step: "share \(pages) page(s)")
        let text: [UInt8]
        do { text = try xenstore.read("\(base)/\(HandoffNodes.pageRefs)", in: nil) } catch {
            throw HandoffError("domain \(domain) said page-refs but \(base)/\(HandoffNodes.pageRefs) cannot be read: \(error.errno)")
        }
        let refs: [UInt32]
        do { refs = try GrantReferenceList.parse(text, count: pages) } catch {
            throw HandoffError("domain \(domain) sent bad grant references: \(error.message)")
        }
        do {
            let mapped = try mapper().map(refs, from: domain, writable: true)
            try mapped.write(blob)
            try mapped.release()
        } catch let error as GrantError {
            throw HandoffError("cannot map the \(pages) page(s) domain \(domain) granted (references \(GrantReferenceList.format(refs).dropLast())): \(error)")
        }
        try writeSender([(HandoffNodes.senderStatus, SenderStatus.done.rawValue)])
        try expect(.received, keepingOn: [.pageRefs], step: "copy and check the overlay")
        log("hand-off \(id): domain \(domain) holds the \(blob.count)-byte overlay")
    }

    /// Tells the receiver to apply what it received, and waits for `applied`.
    public func commit() throws {
        try writeSender([(HandoffNodes.senderStatus, SenderStatus.apply.rawValue)])
        try expect(.applied, keepingOn: [.received], step: "apply overlay \(request.name)")
        log("hand-off \(id): domain \(domain) applied overlay \(request.name)")
    }

    /// Asks the receiver to remove overlay `request.name`, and waits for `removed`.
    public func remove() throws {
        try writeRequest(.remove, size: 0, pages: 0)
        try expect(.removed, keepingOn: [.waiting], step: "remove overlay \(request.name)")
        log("hand-off \(id): domain \(domain) removed overlay \(request.name)")
    }

    /// Tells the receiver the hand-off failed and why, and gives it up to `timeout` (at most 2 s)
    /// to acknowledge with its own `error`, so it reads the reason before the nodes go.
    public func abort(_ reason: String) {
        try? writeSender([
            (HandoffNodes.senderError, reason.sanitized()), (HandoffNodes.senderStatus, SenderStatus.error.rawValue),
        ])
        let id = self.id
        _ = try? watch?.wait(timeout: min(timeout, 2)) { () throws -> Bool? in
            try self.receiverStatus() == .error && self.receiverRequest() == id ? true : nil
        }
    }

    /// Removes this hand-off's nodes (the receiver's too, while they answer this request) and
    /// frees the slot; later calls do nothing.
    public func finish() {
        watch?.close()
        watch = nil
        guard let lock else { return }
        self.lock = nil
        let base = self.base
        let id = self.id
        _ = try? xenstore.transaction { tx in
            let children: [String]
            do { children = try xenstore.directory(base, in: tx) } catch let error as XenStoreError where error.errno == .ENOENT { return }
            let receiver = children.contains(HandoffNodes.receiverRequest) ? try xenstore.readString("\(base)/\(HandoffNodes.receiverRequest)", in: tx) : nil
            var ours = Set(HandoffNodes.senderNodes)
            if receiver == id { ours.formUnion(HandoffNodes.receiverNodes) }
            if children.allSatisfy(ours.contains) {
                // Only this hand-off's nodes are left: xenstore removes a directory with everything in it.
                try xenstore.remove(base, in: tx)
                return
            }
            for node in children where HandoffNodes.senderNodes.contains(node) { try xenstore.remove("\(base)/\(node)", in: tx) }
            if receiver == id {
                for node in children where HandoffNodes.receiverNodes.contains(node) { try xenstore.remove("\(base)/\(node)", in: tx) }
            }
        }
        lock.release()
    }

    deinit { finish() }

    // MARK: Steps

    private func writeRequest(_ operation: HandoffOperation, size: Int, pages: Int) throws {
        try writeSender([
            (HandoffNodes.operation, operation.rawValue), (HandoffNodes.size, String(size)), (HandoffNodes.pages, String(pages)),
            (HandoffNodes.name, request.name), (HandoffNodes.type, request.kind.rawValue), (HandoffNodes.partial, request.partialText),
            (HandoffNodes.senderStatus, SenderStatus.ready.rawValue),
        ])
    }

    /// Writes sender nodes, owned by dom0 and readable by the domU, in one transaction (a node this hand-off wrote
    /// before keeps its permissions); with `clearing`, first removes any left from an earlier hand-off.
    private func writeSender(_ values: [(String, String)], clearing: Bool = false) throws {
        let base = self.base
        let readable = [XenStorePermission(.none, .dom0), XenStorePermission(.read, domain)]
        let owned = self.owned
        do {
            try xenstore.transaction { tx in
                if clearing {
                    try xenstore.mkdir(base, in: tx)
                    for node in try xenstore.directory(base, in: tx) where HandoffNodes.senderNodes.contains(node) {
                        try xenstore.remove("\(base)/\(node)", in: tx)
                    }
                }
                for (node, value) in values {
                    try xenstore.write("\(base)/\(node)", string: value, in: tx)
                    if clearing || !owned.contains(node) { try xenstore.setPermissions("\(base)/\(node)", readable, in: tx) }
                }
            }
        } catch let error as XenStoreError {
            throw HandoffError("cannot write \(error.path ?? base) for domain \(domain): \(error.errno)")
        }
        if clearing { self.owned = [] }
        self.owned.formUnion(values.map(\.0))
    }

    /// A value the receiver wrote, read with bounds; `nil` when it is missing.
    private func receiverWord(_ node: String) throws -> String? {
        guard let bytes = try? xenstore.read("\(base)/\(node)", in: nil) else { return nil }
        guard bytes.count <= HandoffNodes.maximumWordLength else {
            throw HandoffError("domain \(domain) wrote \(bytes.count) bytes into \(node); no value of the protocol is that long")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The receiver's status; `nil` when it has written none.
    private func receiverStatus() throws -> ReceiverStatus? {
        guard let text = try receiverWord(HandoffNodes.receiverStatus) else { return nil }
        guard let status = ReceiverStatus(rawValue: text) else {
            throw HandoffError("domain \(domain) wrote receiver-status \"\(text.sanitized())\", which is not a status of the protocol")
        }
        return status
    }

    /// The request the receiver's status answers.
    private func receiverRequest() throws -> String? { try receiverWord(HandoffNodes.receiverRequest) }

    /// Waits for the receiver to report `wanted` for this request. `keepingOn` are statuses that
    /// may still be read meanwhile (a change not seen yet); anything else is out of order.
    private func expect(_ wanted: ReceiverStatus, keepingOn earlier: Set<ReceiverStatus>, step: String) throws {
        let id = self.id
        let domain = self.domain
        let reached = try watch?.wait(timeout: timeout) { () throws -> Bool? in
            guard let status = try self.receiverStatus() else { return nil }
            // `waiting` answers no request: there is no request id to read.
            if status == .waiting && earlier.contains(.waiting) { return nil }
            let request = try self.receiverRequest()
            let ours = request == id
            if status == wanted && ours { return true }
            if status == .error && ours {
                let reason = (try? self.xenstore.readString("\(self.base)/\(HandoffNodes.receiverError)")).flatMap { $0 }
                throw HandoffError("domain \(domain)'s get_overlay could not \(step): \(reason?.sanitized() ?? "it gave no reason")")
            }
            if earlier.contains(status) && ours { return nil }
            // The two reads are two requests: when the receiver changed both nodes between them, its status is no
            // longer the one read, and the watch event of that change runs this check again.
            if try self.receiverStatus() != status { return nil }
            if status == .waiting {
                throw HandoffError("domain \(domain)'s get_overlay started again while it had to \(step); the hand-off was abandoned")
            }
            let whose = ours ? "this request" : "request \(request?.sanitized(limit: HandoffNodes.maximumWordLength) ?? "none")"
            throw HandoffError("domain \(domain) answered \(status.rawValue) for \(whose) while xl waited for it to \(step) (\(wanted.rawValue)); out of order")
        }
        guard reached != nil else {
            throw HandoffError("domain \(domain) did not \(step) within \(Self.seconds(timeout)) (no \(wanted.rawValue) in \(base)/\(HandoffNodes.receiverStatus))")
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
