// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenStoreClient
import XenTypes

/// One device as dom0's record of it says (`/libxl/<domid>/device/<kind>/<devid>`, what libxl's device
/// lists read): its paths checked against the layout, so a damaged record never names another subtree.
struct PVDeviceListing {
    let nodes: PVDeviceNodes

    var devid: Int { nodes.devid }

    /// A back-end entry as recorded (`mac`, `dev`, `script`, ...).
    func value(_ key: String) -> String? { nodes.backend.first { $0.0 == key }?.1 }
}

extension Toolstack {
    /// The devices of one kind a domain has, from dom0's records, by devid; records that do not match the
    /// layout are skipped.
    func listedDevices(_ kind: PVDeviceKind, of domain: DomainID, prefix: String) throws -> [PVDeviceListing] {
        let directory = PVDeviceNodes.libxlDirectory(kind, domain: domain)
        let names: [String]
        do { names = try xenstore.children(directory) } catch { throw ToolstackError("\(prefix)cannot read \(directory): \(error.errno)") }
        var result: [PVDeviceListing] = []
        for name in names {
            guard let number = GuestWrittenValue.unsigned(Array(name.utf8)), number <= UInt64(Int32.max) else { continue }
            let devid = Int(number)
            let path = "\(directory)/\(name)"
            guard let backendPath = try? xenstore.readString(path + "/backend"),
                let backendDomain = Self.backendDomain(of: backendPath, kind: kind, domain: domain, devid: devid)
            else { continue }
            var entries: [(String, String)] = []
            for key in (try? xenstore.children(path)) ?? [] where key != "frontend" && key != "backend" {
                if let value = try? xenstore.read(path + "/" + key, in: nil), let text = GuestWrittenValue.text(value) { entries.append((key, text)) }
            }
            result.append(PVDeviceListing(nodes: PVDeviceNodes(kind: kind, domain: domain, backendDomain: backendDomain, devid: devid, backend: entries, frontend: [])))
        }
        return result.sorted { $0.devid < $1.devid }
    }

    /// The back-end domain of a recorded back-end path, when the path is exactly where that device's back end lives.
    static func backendDomain(of path: String, kind: PVDeviceKind, domain: DomainID, devid: Int) -> DomainID? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0].isEmpty, parts[1] == "local", parts[2] == "domain",
            let id = GuestWrittenValue.unsigned(Array(parts[3].utf8), maxDigits: 5), id < UInt64(DomainID.firstReserved.rawValue)
        else { return nil }
        let backend = DomainID(UInt16(id))
        return path == PVDeviceNodes.backendPath(kind, domain: domain, backend: backend, devid: devid) ? backend : nil
    }

    /// `xl network-list DOMAIN...`: upstream's table, one line per interface.
    public func networkList(_ arguments: [String]) throws -> [String] {
        var lines = [Self.columns("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s", ["Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path"])]
        for argument in arguments {
            let info: DomainInfo
            do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("network-list \(argument): \(error.message)") }
            for device in try listedDevices(.vif, of: info.id, prefix: "network-list \(argument): ") {
                let front = device.nodes.frontendPath
                let numbers = ["state", "event-channel", "tx-ring-ref", "rx-ring-ref"].map { frontendNumber(front + "/" + $0) }
                lines.append(pad(String(device.devid), 3) + " " + pad(String(device.nodes.backendDomain.rawValue), 2) + " "
                    + (device.value("mac") ?? "") + padLeft(String(device.devid), 6) + " " + padLeft(numbers[0], 5) + " " + padLeft(numbers[1], 6)
                    + " " + padLeft(numbers[2], 5) + "/" + pad(numbers[3], 11) + " " + pad(device.nodes.backendPath, 30))
            }
        }
        return lines
    }

    /// `xl block-list DOMAIN...`: upstream's table, one line per disk (its `handle` column is the guest's domid, as upstream prints).
    public func blockList(_ arguments: [String]) throws -> [String] {
        var lines = [Self.columns("%-5s %-3s %-6s %-5s %-6s %-8s %-30s", ["Vdev", "BE", "handle", "state", "evt-ch", "ring-ref", "BE-path"])]
        for argument in arguments {
            let info: DomainInfo
            do { info = try findDomain(argument) } catch let error as ToolstackError { throw ToolstackError("block-list \(argument): \(error.message)") }
            for device in try listedDevices(.vbd, of: info.id, prefix: "block-list \(argument): ") {
                let front = device.nodes.frontendPath
                let numbers = ["state", "event-channel", "ring-ref"].map { frontendNumber(front + "/" + $0) }
                lines.append([pad(String(device.devid), 5), pad(String(device.nodes.backendDomain.rawValue), 3), pad(String(info.id.rawValue), 6),
                              pad(numbers[0], 5), pad(numbers[1], 6), pad(numbers[2], 8), pad(device.nodes.backendPath, 30)].joined(separator: " "))
            }
        }
        return lines
    }

    /// A number the guest wrote into its front end, as upstream prints it (`strtoul`, -1 when missing); a value
    /// that is not a bounded decimal number shows as -1 too.
    private func frontendNumber(_ path: String) -> String {
        guard let value = try? xenstore.read(path, in: nil), let number = GuestWrittenValue.unsigned(value), number <= UInt64(Int32.max) else { return "-1" }
        return String(number)
    }

    private static func columns(_ format: String, _ values: [String]) -> String {
        var result = ""
        var values = values.makeIterator()
        var scanner = format.makeIterator()
        while let c = scanner.next() {
            guard c == "%" else { result.append(c); continue }
            var spec = ""
            while let d = scanner.next(), d != "s" { spec.append(d) }
            let value = values.next() ?? ""
            let width = Int(spec.drop { $0 == "-" }) ?? 0
            let fill = String(repeating: " ", count: max(0, width - value.count))
            result += spec.hasPrefix("-") ? value + fill : fill + value
        }
        return result
    }
}

private func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
private func padLeft(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
