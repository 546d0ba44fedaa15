// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenStoreClient
import XenTypes

/// The domU's half of the overlay hand-off (`get_overlay`): says it is waiting, takes dom0's
/// request, shares pages for the overlay, checks what arrives, and reports every outcome.
///
/// It works on paths relative to the guest's home, on a connection acting as the guest. What
/// dom0 wrote is checked too: the request must come from nodes dom0 owns and have the size, page
/// count, name, type and partial flag the rules allow.
public final class OverlayReceiver {
    /// A request dom0 made.
    public struct Request: Hashable, Sendable {
        public var id: String
        public var operation: HandoffOperation
        public var overlay: GuestOverlayRequest
        /// The overlay's size in bytes (0 for remove) and the pages it takes (0 for remove).
        public var size: Int
        public var pages: Int
    }

    private let xenstore: any XenStore
    private let sharer: any GrantSharer
    private let sender: DomainID
    private let timeout: Double
    private let directory = HandoffNodes.directory

    /// A receiver on `xenstore` (the guest's connection), sharing pages with `sharer`, taking
    /// requests from `sender` (dom0); each wait after a request arrived lasts up to `timeout` seconds.
    public init(xenstore: any XenStore, sharer: any GrantSharer, sender: DomainID = .dom0, timeout: Double = HandoffNodes.defaultTimeout) {
        self.xenstore = xenstore
        self.sharer = sharer
        self.sender = sender
        self.timeout = timeout
    }

    /// Says `waiting` and waits up to `wait` seconds (for ever when `nil`) for dom0's request.
    /// A request that breaks the rules is answered with `error` and thrown.
    public func waitForRequest(wait: Double?) throws -> Request {
        // A ready request an earlier receiver already answered (it was stopped, or its xl killed
        // midway) is not served again: only the xl that made it could go on with it.
        var stale: String?
        if (try? senderStatus()) == .ready, let id = (try? currentRequest()) ?? nil,
            let answered = try? xenstore.read("\(directory)/\(HandoffNodes.receiverRequest)", in: nil),
            answered == Array(id.utf8)
        {
            stale = id
        }
        try writeReceiver([(HandoffNodes.receiverStatus, ReceiverStatus.waiting.rawValue), (HandoffNodes.receiverRequest, "")], clearing: true)
        let watch = try NodeWatch(xenstore, path: "\(directory)/\(HandoffNodes.senderStatus)", token: "get-overlay")
        defer { watch.close() }
        let found = try watch.wait(timeout: wait ?? 86_400 * 365) { () throws -> (String, Result<Request, HandoffError>)? in
            guard try self.senderStatus() == .ready, let id = try self.currentRequest(), id != stale else { return nil }
            do { return (id, .success(try self.readRequest(id))) } catch {
                return (id, .failure(error as? HandoffError ?? HandoffError("request \(id): \(error)")))
            }
        }
        guard let (id, result) = found else {
            throw HandoffError("no request from domain \(sender) within \(OverlaySender.seconds(wait ?? 0))")
        }
        switch result {
        case .success(let request):
            return request
        case .failure(let error):
            try? report(.error, for: id, reason: error.message)
            throw error
        }
    }

    /// For an add: shares the pages, waits for dom0 to fill them, and returns the overlay once it
    /// passed `fdt_check_full` with `totalsize` equal to the size dom0 announced.
    public func receive(_ request: Request) throws -> [UInt8] {
        guard request.operation == .add else { throw HandoffError("request \(request.id) removes an overlay; there is nothing to receive") }
        let pages: GrantedPages
        do { pages = try sharer.share(pages: request.pages, with: sender, writable: true) } catch {
            throw HandoffError("cannot share \(request.pages) page(s) with domain \(sender): \(error)")
        }
        defer { try? pages.release() }
        try writeReceiver([
            (HandoffNodes.pageRefs, GrantReferenceList.format(pages.references)), (HandoffNodes.receiverRequest, request.id),
            (HandoffNodes.receiverStatus, ReceiverStatus.pageRefs.rawValue),
        ])
        try expect(.done, keepingOn: [.ready], for: request, step: "copy the overlay into the pages")
        let blob: [UInt8]
        do { blob = try pages.read(request.size) } catch { throw HandoffError("cannot read the shared pages: \(error)") }
        do { _ = try DeviceTree(validating: blob) } catch {
            throw HandoffError("the \(request.size) bytes domain \(sender) sent are not a valid overlay: \(error.message)")
        }
        return blob
    }

    /// After `received`: waits for dom0's go-ahead (`apply`), which comes once Xen gave the
    /// devices to this domain; throws with dom0's reason when it gave up instead.
    public func waitForGoAhead(_ request: Request) throws {
        try expect(.apply, keepingOn: [.done], for: request, step: "give the devices to this domain")
    }

    /// Reports `status` (`received`, `applied`, `removed` or `error` with `reason`) for request
    /// `id`, which must still be the request dom0 has open.
    public func report(_ status: ReceiverStatus, for id: String, reason: String? = nil) throws {
        guard try currentRequest() == id else {
            throw HandoffError("request \(id) is not open (domain \(sender) finished or withdrew it)")
        }
        var values = [(HandoffNodes.receiverRequest, id), (HandoffNodes.receiverStatus, status.rawValue)]
        if let reason { values.insert((HandoffNodes.receiverError, reason.sanitized()), at: 0) }
        try writeReceiver(values)
    }

    // MARK: Reading dom0's nodes

    /// A node dom0 wrote: `nil` when missing or not owned by dom0 (then it is not dom0's word).
    private func senderValue(_ node: String, limit: Int = HandoffNodes.maximumWordLength) throws -> String? {
        let path = "\(directory)/\(node)"
        guard let bytes = try? xenstore.read(path, in: nil),
            let owner = try? xenstore.permissions(path, in: nil).first?.domain, owner == sender
        else { return nil }
        guard bytes.count <= limit else { throw HandoffError("\(path) is \(bytes.count) bytes long; at most \(limit) are expected") }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func senderStatus() throws -> SenderStatus? {
        try senderValue(HandoffNodes.senderStatus).flatMap(SenderStatus.init(rawValue:))
    }

    /// The id of the request dom0 has open: 1 to 32 lowercase hex digits.
    private func currentRequest() throws -> String? {
        guard let id = try senderValue(HandoffNodes.request), !id.isEmpty,
            id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return id
    }

    /// Reads and checks the request dom0 wrote for `id`.
    private func readRequest(_ id: String) throws(HandoffError) -> Request {
        func value(_ node: String) throws(HandoffError) -> String {
            do {
                guard let text = try senderValue(node) else { throw HandoffError("request \(id) has no \(node)") }
                return text
            } catch let error as HandoffError {
                throw error
            } catch {
                throw HandoffError("request \(id): \(error)")
            }
        }
        guard let operation = HandoffOperation(rawValue: try value(HandoffNodes.operation)) else {
            throw HandoffError("request \(id): overlay-operation is neither add nor remove")
        }
        let overlay = try GuestOverlayRequest(name: try value(HandoffNodes.name), type: try value(HandoffNodes.type), partial: try value(HandoffNodes.partial))
        guard let size = Int(try value(HandoffNodes.size)), let pages = Int(try value(HandoffNodes.pages)) else {
            throw HandoffError("request \(id): overlay-size and overlay-pages must be decimal numbers")
        }
        switch operation {
        case .add:
            guard (1...HandoffNodes.maximumSize).contains(size) else {
                throw HandoffError("request \(id): overlay-size \(size) is not 1 to \(HandoffNodes.maximumSize) bytes")
            }
            guard pages == GrantPage.count(for: size) else {
                throw HandoffError("request \(id): overlay-pages \(pages) is not the \(GrantPage.count(for: size)) page(s) \(size) bytes take")
            }
        case .remove:
            guard size == 0, pages == 0 else { throw HandoffError("request \(id): a remove carries no overlay (size and pages 0)") }
        }
        return Request(id: id, operation: operation, overlay: overlay, size: size, pages: pages)
    }

    /// Waits for dom0 to report `wanted` for `request`; `keepingOn` may still be read meanwhile.
    private func expect(_ wanted: SenderStatus, keepingOn earlier: Set<SenderStatus>, for request: Request, step: String) throws {
        let watch = try NodeWatch(xenstore, path: "\(directory)/\(HandoffNodes.senderStatus)", token: "get-overlay-\(request.id)")
        defer { watch.close() }
        let sender = self.sender
        let reached = try watch.wait(timeout: timeout) { () throws -> Bool? in
            guard try self.currentRequest() == request.id else {
                throw HandoffError("domain \(sender) withdrew request \(request.id)")
            }
            switch try self.senderStatus() {
            case wanted?:
                return true
            case .error?:
                let reason = try self.senderValue(HandoffNodes.senderError, limit: 4096) ?? "no reason given"
                throw HandoffError("domain \(sender) gave up request \(request.id): \(reason.sanitized())")
            case let status? where earlier.contains(status):
                return nil
            case let status:
                throw HandoffError("domain \(sender) wrote sender-status \(status?.rawValue ?? "(none)") while this guest waited for it to \(step) (\(wanted.rawValue)); out of order")
            }
        }
        guard reached != nil else {
            throw HandoffError("domain \(sender) did not \(step) within \(OverlaySender.seconds(timeout))")
        }
    }

    /// Writes receiver nodes in one transaction; with `clearing`, first removes any left over.
    private func writeReceiver(_ values: [(String, String)], clearing: Bool = false) throws {
        let directory = self.directory
        do {
            try xenstore.transaction { tx in
                if clearing {
                    try xenstore.mkdir(directory, in: tx)
                    for node in HandoffNodes.receiverNodes { try xenstore.remove("\(directory)/\(node)", in: tx) }
                }
                for (node, value) in values { try xenstore.write("\(directory)/\(node)", string: value, in: tx) }
            }
        } catch let error as XenStoreError {
            throw HandoffError("cannot write \(error.path ?? directory): \(error.errno)")
        }
    }
}
