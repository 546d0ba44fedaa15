// SPDX-License-Identifier: Apache-2.0
/// One `vif=` entry of an `xl.cfg` file, or the arguments of `xl network-attach`: libxl's `device_nic`.
///
/// Nil fields mean "not given"; the toolstack fills libxl's defaults (devid, MAC, bridge, script) when
/// it adds the device, so that a record keeps what the user wrote.
public struct NetworkInterface: Hashable, Sendable, Codable {
    /// `backend=`: the back-end domain, by name or id; nil for dom0.
    public var backendDomain: String?
    /// `devid=`: the device number in the guest; nil to take the next free one.
    public var devid: Int?
    /// `mtu=`.
    public var mtu: Int?
    /// `model=` (emulated NICs only; refused for PVH guests).
    public var model: String?
    /// `mac=`, as six octets; nil for a random address under Xen's `00:16:3e` prefix.
    public var mac: MACAddress?
    /// `ip=`: space-separated addresses handed to the hotplug script.
    public var ip: String?
    /// `bridge=`: the bridge the back-end interface joins; nil for libxl's `xenbr0`.
    public var bridge: String?
    /// `vifname=`: the back-end interface's name; nil for `vifDOMID.DEVID`.
    public var vifname: String?
    /// `script=`: the hotplug script; nil for `vif-bridge`.
    public var script: String?
    /// `type=`.
    public var type: NetworkInterfaceType?
    /// `rate=`: the transmit limit netback enforces.
    public var rate: NetworkRate?
    /// `gatewaydev=`.
    public var gatewaydev: String?
    /// `trusted`/`untrusted`: whether the back end may trust the front end.
    public var trusted: Bool?
    /// `vlan=`: the VLAN the hotplug script puts the back-end interface in (Xen 4.22; 4.17 does not know it).
    public var vlan: String?

    public init() {}
}

/// The `type=` of a vif: libxl's `nic_type`.
public enum NetworkInterfaceType: String, Hashable, Sendable, Codable {
    /// A PV network interface only (`type=vif`).
    case vif
    /// An emulated NIC with a PV twin (`type=ioemu`); needs a device model.
    case ioemu
}

/// A network interface's transmit rate limit: libxl's `rate_bytes_per_interval` and `rate_interval_usecs`.
public struct NetworkRate: Hashable, Sendable, Codable {
    public var bytesPerInterval: UInt64
    public var intervalMicroseconds: UInt32

    public init(bytesPerInterval: UInt64, intervalMicroseconds: UInt32) {
        self.bytesPerInterval = bytesPerInterval
        self.intervalMicroseconds = intervalMicroseconds
    }
}

/// A 48-bit Ethernet address.
public struct MACAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var octets: [UInt8]

    /// Nil unless there are exactly six octets.
    public init?(octets: [UInt8]) {
        guard octets.count == 6 else { return nil }
        self.octets = octets
    }

    /// `00:16:3e:xx:xx:xx`, lower-case hex, as libxl writes it to xenstore.
    public var description: String {
        octets.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }
}
