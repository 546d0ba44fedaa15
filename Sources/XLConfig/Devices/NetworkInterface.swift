/// One `vif=` entry or `xl network-attach` spec (xl-network-configuration(5)), as libxl's `libxl_device_nic`
/// holds it after parsing: nil fields take libxl's defaults when the device is added.
public struct NetworkInterface: Hashable, Sendable, Codable {
    /// `devid`: the device number under `device/vif/`; nil for the next free one.
    public var devid: Int?
    /// `mac`: six octets; nil for a random `00:16:3e:xx:xx:xx`.
    public var mac: [UInt8]?
    /// `bridge`: the bridge the backend interface joins (`xenbr0` by default, through `vif-bridge`).
    public var bridge: String?
    /// `ip`: addresses for the hotplug script (space-separated, as libxl keeps them).
    public var ip: String?
    /// `script`: the hotplug script, a name under /etc/xen/scripts or a path.
    public var script: String?
    /// `vifname`: the backend interface's name (default `vifDOMID.DEVID`).
    public var vifname: String?
    /// `type`: `vif` (the only one for PVH) or `ioemu`.
    public var type: NetworkInterfaceType?
    /// `model`: the emulated NIC model; HVM only, refused for ARM PVH guests.
    public var model: String?
    /// `backend`: the domain (name or id) that runs netback; nil for dom0.
    public var backend: String?
    /// `rate`: the outgoing rate limit, as libxl splits it.
    public var rate: NetworkRate?
    /// `mtu`: nil for libxl's default (1500).
    public var mtu: Int?
    /// `gatewaydev`: the gateway device for routed setups.
    public var gatewaydev: String?
    /// `trusted`: whether the frontend is trusted (`trusted=1` / `untrusted=1`); nil for libxl's default.
    public var trusted: Bool?

    public init() {}
}

/// `type=` of a vif: `vif` is a PV network interface; `ioemu` asks for an emulated NIC as well (HVM).
public enum NetworkInterfaceType: String, Hashable, Sendable, Codable {
    case vif
    case ioemu = "vif_ioemu"
}

/// A vif `rate=`: bytes per interval and the interval, as `libxl_device_nic` keeps them.
public struct NetworkRate: Hashable, Sendable, Codable {
    public var bytesPerInterval: UInt64
    public var intervalMicroseconds: UInt32

    public init(bytesPerInterval: UInt64, intervalMicroseconds: UInt32) {
        self.bytesPerInterval = bytesPerInterval
        self.intervalMicroseconds = intervalMicroseconds
    }
}
