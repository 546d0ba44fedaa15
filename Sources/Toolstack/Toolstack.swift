// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import OverlayHandoff
import XenControl
import XenStoreClient
import XenTypes

/// The backends and settings one `xl` command runs with.
public final class Toolstack {
    public let hypervisor: any Hypervisor
    public let xenstore: any XenStore
    /// The device tree Xen booted with, when known (`--host-dtb`, or the simulated host's).
    public let bootTree: DeviceTree?
    /// `-N`: check and print what would be done, change nothing.
    public let dryRun: Bool
    /// Where normal output goes (stdout).
    public let output: (String) -> Void
    /// Where `-v` diagnostics go (stderr); silent unless verbose.
    public let log: (String) -> Void
    /// Opens dom0's grant mapper for normal mode's hand-off: libxengnttab, or the simulator's.
    public var grantMapper: () throws -> any GrantMapper = { try GntDevMapper() }
    /// How long each wait of normal mode's hand-off with the guest lasts, in seconds.
    public var handoffTimeout = HandoffNodes.defaultTimeout
    /// How long `shutdown`/`reboot` wait for the guest to acknowledge its PV control request, in seconds.
    public var controlTimeout = Toolstack.controlAcknowledgeSeconds
    /// Runs the PV devices' hotplug scripts (`run_hotplug_scripts=1`); nil where none can run.
    public var hotplugScripts: (any HotplugScriptRunner)?
    /// How long each wait of a PV device's set-up and tear-down lasts.
    public var deviceTimeouts = DeviceTimeouts()
    /// Where libxl's per-domain config records live (`/var/lib/xen`, or inside a simulated host); nil: none are kept.
    public var userdata: DomainUserdata?

    public init(
        hypervisor: any Hypervisor, xenstore: any XenStore, bootTree: DeviceTree?, dryRun: Bool = false,
        output: @escaping (String) -> Void, log: @escaping (String) -> Void = { _ in }
    ) {
        self.hypervisor = hypervisor
        self.xenstore = xenstore
        self.bootTree = bootTree
        self.dryRun = dryRun
        self.output = output
        self.log = log
    }

    /// The running Xen release.
    func xenVersion() throws -> XenVersion {
        do { return try hypervisor.version() } catch { throw ToolstackError("cannot read the Xen version: \(error.errno)") }
    }
}
