import DeviceTree
import XenControl
import XenTypes

extension Toolstack {
    /// `xl dt-overlay add FILE DOMAIN NODE_NAME TYPE PARTIAL` (normal mode): checks the domain and
    /// prepares the guest's copy of the overlay, then refuses before any hypercall, because the
    /// hand-off of that copy to the guest is not part of this xl yet.
    public func addOverlay(_ file: OverlayFile, forGuest domainArgument: String, request: GuestOverlayRequest) throws {
        let domain = try attachableDomain(domainArgument, file: file)
        let prefix = "dt-overlay add \(file.path) \(domainArgument)"
        guard domain.id != .dom0 else {
            throw ToolstackError("\(prefix): normal mode prepares the overlay for a domU; dom0 sees the host's device tree, use expert mode (xl dt-overlay add \(file.path) 0)")
        }
        let copy: DeviceTree
        do { copy = try GuestOverlay.rewrite(file.overlay) } catch {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        log("the guest copy of \(file.path) (\(copy.bytes.count) bytes) is ready for \(request.kind.rawValue) overlay \(request.name)")
        throw ToolstackError("\(prefix): normal mode needs the hand-off to the guest, which this xl does not have yet; nothing was changed (expert mode: xl dt-overlay add \(file.path) \(domainArgument))")
    }

    /// `xl dt-overlay remove FILE DOMAIN NODE_NAME TYPE PARTIAL` (normal mode): the guest must drop
    /// the overlay before its devices go, which needs the hand-off; refused before any change.
    public func removeOverlay(_ file: OverlayFile, fromGuest domainArgument: String, request: GuestOverlayRequest) throws {
        let prefix = "dt-overlay remove \(file.path) \(domainArgument)"
        do { _ = try findDomain(domainArgument) } catch let error as ToolstackError {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        throw ToolstackError("\(prefix): normal mode needs the hand-off to the guest (to drop overlay \(request.name) first), which this xl does not have yet; nothing was changed")
    }
}
