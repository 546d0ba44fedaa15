// SPDX-License-Identifier: Apache-2.0
import XenSys
import XenTypes

/// The real hypervisor backend: libxenctrl for queries, raw hypercalls for the device-tree overlay calls.
public final class XenCallHypervisor: Hypervisor {
    private let transport: any HypercallTransport
    let control: any HypervisorControl
    private var cachedVersion: XenVersion?

    /// A backend over the given seams; tests pass a recording transport and a fixed control.
    public init(transport: any HypercallTransport, control: any HypervisorControl) {
        self.transport = transport
        self.control = control
    }

    /// Opens libxenctrl and libxencall; throws `open /dev/xen/privcmd` with their errno when Xen is not reachable.
    /// With `builderLog`, the domain builder's messages go to stderr (`xl -v`).
    public static func open(builderLog: Bool = false) throws(HypervisorError) -> XenCallHypervisor {
        do throws(Errno) {
            let control = try XenCtrl(builderLog: builderLog)
            let transport = try XenCallTransport()
            return XenCallHypervisor(transport: transport, control: control)
        } catch {
            throw HypervisorError("open /dev/xen/privcmd", errno: error)
        }
    }

    /// The running release, read once and then cached: it picks the interface versions sent.
    public func version() throws(HypervisorError) -> XenVersion {
        if let cachedVersion { return cachedVersion }
        let running = try control.runningVersion()
        cachedVersion = running
        return running
    }

    public func domains() throws(HypervisorError) -> [DomainInfo] {
        try control.domainList()
    }

    public func dtOverlay(_ operation: DTOverlayOperation, blob: [UInt8]) throws(HypervisorError) {
        let request = try DTOverlayHypercall.sysctl(operation, blob: blob, release: version())
        try submit(request, as: "XEN_SYSCTL_dt_overlay")
    }

    public func dtOverlayAttach(blob: [UInt8], to domain: DomainID) throws(HypervisorError) {
        let request = try DTOverlayHypercall.domctlAttach(blob: blob, domain: domain, release: version())
        try submit(request, as: "XEN_DOMCTL_dt_overlay")
    }

    private func submit(_ request: HypercallRequest, as name: String) throws(HypervisorError) {
        _ = try exchange(request, as: name)
    }

    /// Issues `request` and returns Xen's reply; a failure names the operation.
    func exchange(_ request: HypercallRequest, as name: String) throws(HypervisorError) -> HypercallReply {
        do throws(Errno) {
            return try transport.submit(request)
        } catch {
            throw HypervisorError(name, errno: error)
        }
    }
}
