// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import XenControl
import XenStoreClient
import XenTypes

extension Toolstack {
    /// Finds the console `xl console [-t TYPE] [-n NUM] DOMAIN` attaches to, as libxl's `libxl__console_tty_path`
    /// and xenconsole name it: the PV console (number 0 at `/local/domain/N/console`, others at
    /// `device/console/NUM`) unless `type` says otherwise, or the vpl011 at `vuart/0`. Refuses, in one line
    /// starting with `prefix`, dom0, `-t serial` (ARM PVH guests have no emulated serial port), a domain Xen
    /// built at boot (it has no console xenconsoled serves; the line says how to reach it) and a console the
    /// domain does not have.
    public func findConsole(_ argument: String, type: ConsoleType?, number: Int, _ prefix: String) throws -> ConsoleTarget {
        let info: DomainInfo
        do { info = try findDomain(argument) } catch let error as ToolstackError {
            throw ToolstackError("\(prefix): \(error.message)")
        }
        let id = info.id
        guard id != .dom0 else {
            throw ToolstackError("\(prefix): domain 0's console is Xen's own console (its serial line, or hvc0 in dom0); xenconsole attaches to guests only")
        }
        let chosen = type ?? .pv
        if chosen == .serial {
            throw ToolstackError("\(prefix): -t serial is the emulated serial port of an HVM guest, and ARM PVH guests have none; "
                + "use -t pv (the PV console), or -t vuart for a guest with vuart = \"sbsa_uart\"")
        }
        let home = "/local/domain/\(id)"
        if try isBuiltAtBoot(id, home, prefix) {
            throw ToolstackError("\(prefix): " + bootTimeConsole(id))
        }
        let device: String
        if chosen == .vuart {
            device = "\(home)/vuart/0"
            guard number == 0 else {
                throw ToolstackError("\(prefix): -n \(number): a domain has one vuart at most, number 0")
            }
            guard try has(device, prefix) else {
                throw ToolstackError("\(prefix): domain \(id) has no vuart (\(device) does not exist); it needs vuart = \"sbsa_uart\" in its config")
            }
        } else {
            device = number == 0 ? "\(home)/console" : "\(home)/device/console/\(number)"
            guard try has(device, prefix) else {
                throw ToolstackError(number == 0
                    ? "\(prefix): domain \(id) has no PV console (\(device) does not exist)"
                    : "\(prefix): domain \(id) has no PV console \(number) (\(device) does not exist); its primary console is number 0")
            }
        }
        return ConsoleTarget(domain: id, number: number, type: chosen, ttyNode: device + "/tty")
    }

    private func has(_ path: String, _ prefix: String) throws -> Bool {
        do { return try xenstore.exists(path) } catch { throw ToolstackError("\(prefix): cannot read \(path): \(error.errno)") }
    }

    /// A domain Xen built from a `/chosen` node: no xenstore home (init-dom0less has not run, or it has no
    /// `xen,enhanced`), our init-dom0less's stub config record, or the name upstream's gives (`dom0less-<domid>`).
    private func isBuiltAtBoot(_ id: DomainID, _ home: String, _ prefix: String) throws -> Bool {
        guard try has(home, prefix) else { return true }
        if try isBootTimeDomain(id, prefix) { return true }
        return try domainName(id) == "dom0less-\(id)"
    }

    /// Why `xl console` cannot attach to a boot-time domain, and how to reach it. No Xen release 4.17–4.22 gives
    /// such a domain a PV console page (`HVM_PARAM_CONSOLE_PFN` stays unset; init-dom0less seeds the console
    /// grant with no frame), so xenconsoled has nothing to serve; a `vpl011` is served by Xen itself, whose serial
    /// console passes input to one domain at a time.
    func bootTimeConsole(_ id: DomainID) -> String {
        let node = bootTimeNode(id)
        let start = "domain \(id)\(node.map { " (\($0.path))" } ?? "") was built by Xen at boot (dom0less): Xen gives it no PV console for xenconsoled"
        switch node?.vpl011 {
        case true?:
            return start + ", and serves its vpl011 itself on Xen's serial console; there, press Ctrl-A three times to switch input to it"
        case false?:
            return start + " and, without vpl011 in its node, no UART; its output reaches Xen's serial console only through the console_io "
                + "hypercall (earlycon=xen), and Xen passes it no input"
        case nil:
            return start + "; a vpl011 in its /chosen node is served by Xen itself on Xen's serial console, where Ctrl-A pressed three times "
                + "switches input to it"
        }
    }

    /// The `/chosen` node of boot-time domain `id`, when the boot tree is known: Xen numbers these domains from 1
    /// in tree order.
    func bootTimeNode(_ id: DomainID) -> Dom0lessDomainNode? {
        guard let bootTree, let version = try? xenVersion(),
            let nodes = try? Dom0lessDomainNode.all(in: bootTree, version: version),
            id.rawValue >= 1, Int(id.rawValue) <= nodes.count
        else { return nil }
        return nodes[Int(id.rawValue) - 1]
    }
}
