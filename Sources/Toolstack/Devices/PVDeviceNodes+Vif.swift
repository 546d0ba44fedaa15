// SPDX-License-Identifier: Apache-2.0
import XLConfig
import XenTypes

extension PVDeviceNodes {
    /// libxl's `LIBXL_DEVICE_NIC_MTU_DEFAULT`.
    public static let defaultMTU = 1500

    /// The nodes of a network interface whose defaults are filled (``NetworkInterface/resolved``), as
    /// `libxl__set_xenstore_nic` and the generic add write them.
    public static func vif(_ nic: NetworkInterface, domain: DomainID, backendDomain: DomainID) -> PVDeviceNodes {
        let devid = nic.devid ?? 0
        let mac = nic.mac?.description ?? ""
        let mtu = nic.mtu ?? defaultMTU
        var (backend, frontend) = common(domain: domain, backendDomain: backendDomain)
        if let script = nic.script { backend.append(("script", HotplugScriptDirectory.absolute(script))) }
        if let name = nic.vifname { backend.append(("vifname", name)) }
        backend.append(("mac", mac))
        if let ip = nic.ip { backend.append(("ip", ip)) }
        if let gatewaydev = nic.gatewaydev { backend.append(("gatewaydev", gatewaydev)) }
        if let rate = nic.rate, rate.intervalMicroseconds > 0 {
            backend.append(("rate", "\(rate.bytesPerInterval),\(rate.intervalMicroseconds)"))
        }
        if mtu != defaultMTU { backend.append(("mtu", String(mtu))) }
        backend += [("bridge", nic.bridge ?? ""), ("handle", String(devid)), ("type", "vif"), ("hotplug-status", "")]
        frontend += [("handle", String(devid)), ("mac", mac), ("trusted", nic.trusted == false ? "0" : "1")]
        return PVDeviceNodes(kind: .vif, domain: domain, backendDomain: backendDomain, devid: devid,
                             backend: backend, frontend: frontend, readOnlyFrontend: [("mtu", String(mtu))])
    }
}

extension NetworkInterface {
    /// libxl's defaults filled in (`libxl__device_nic_setdefault`, `update_devid`): the next free devid after
    /// `taken`, a random MAC under Xen's `00:16:3e`, bridge `xenbr0`, script `vif-bridge`, type `vif`.
    public func resolved(taken: Set<Int>) -> NetworkInterface {
        var nic = self
        if nic.devid == nil { nic.devid = (taken.max() ?? -1) + 1 }
        if nic.mac == nil {
            var generator = SystemRandomNumberGenerator()
            let random = (0..<3).map { _ in UInt8.random(in: 0...255, using: &generator) }
            nic.mac = MACAddress(octets: [0x00, 0x16, 0x3e, random[0] & 0x7f, random[1], random[2]])
        }
        if nic.bridge == nil { nic.bridge = "xenbr0" }
        if nic.script == nil { nic.script = HotplugScriptDirectory.absolute("vif-bridge") }
        nic.type = .vif
        return nic
    }
}
