// SPDX-License-Identifier: Apache-2.0
import Glibc
import XenStoreClient
import XenTypes

/// One hand-off at a time per domU: a dom0-only node `/libxl/dt-overlay-handoff/<domid>` holding
/// the request id, the process id and the time (seconds since 1970) after which it is stale.
///
/// A lock whose process is gone, or whose time has passed, is taken over: an `xl` that was killed
/// does not block the domU for ever. The guest cannot read or touch it.
struct HandoffLock {
    static let root = HandoffNodes.lockRoot

    let xenstore: any XenStore
    let domain: DomainID
    let request: String

    var path: String { HandoffNodes.lock(of: domain) }

    /// Takes the lock for `seconds`; throws naming the other hand-off when it is held.
    static func take(_ xenstore: any XenStore, domain: DomainID, request: String, seconds: Double) throws -> HandoffLock {
        let lock = HandoffLock(xenstore: xenstore, domain: domain, request: request)
        let now = time(nil)
        let value = "\(request) \(getpid()) \(now + Int(min(seconds, 86_400).rounded(.up)))"
        do {
            try xenstore.transaction { tx in
                if let held = try xenstore.readString(lock.path, in: tx) {
                    let fields = held.split(separator: " ")
                    if fields.count == 3, let pid = Int32(fields[1]), let until = Int(fields[2]), until > now,
                        kill(pid, 0) == 0 || errno == EPERM
                    {
                        throw HandoffError("another hand-off (request \(fields[0].prefix(HandoffNodes.maximumWordLength)), xl process \(pid)) to domain \(domain) is in progress; try again when it ends")
                    }
                }
                try xenstore.write(lock.path, string: value, in: tx)
                try xenstore.setPermissions(Self.root, [XenStorePermission(.none, .dom0)], in: tx)
            }
        } catch let error as HandoffError {
            throw error
        } catch let error as XenStoreError {
            throw HandoffError("cannot take \(lock.path) in xenstore: \(error.errno)")
        }
        return lock
    }

    /// Releases the lock if it is still this request's.
    func release() {
        _ = try? xenstore.transaction { tx in
            guard let held = try xenstore.readString(path, in: tx), held.hasPrefix(request + " ") else { return }
            try xenstore.remove(path, pruningUpTo: "/libxl", in: tx)
        }
    }
}
