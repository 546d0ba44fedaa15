// SPDX-License-Identifier: Apache-2.0
extension DomainConfig {
    /// `disk` and `vif`: each list item is one spec (``Disk/init(spec:)``, ``NetworkInterface/init(spec:warnings:)``),
    /// and a vif without `devid=` gets its index in the list, as xl numbers them.
    mutating func readDevices(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        for (spec, value) in try reader.list("disk", example: "[ \"/dev/vg/guest,raw,xvda,rw\" ]") ?? [] {
            do {
                let disk = try Disk(spec: spec)
                locations[Self.entryLocationKey("disk", disks.count)] = reader.location("disk", at: value)
                disks.append(disk)
            } catch {
                throw reader.error("disk", at: value, error.detail)
            }
        }
        for (spec, value) in try reader.list("vif", example: "[ \"bridge=xenbr0\" ]") ?? [] {
            var notes: [String] = []
            do {
                var nic = try NetworkInterface(spec: spec, warnings: &notes)
                if nic.devid == nil { nic.devid = nics.count }
                locations[Self.entryLocationKey("vif", nics.count)] = reader.location("vif", at: value)
                nics.append(nic)
            } catch {
                throw reader.error("vif", at: value, error.detail)
            }
            for note in notes { reader.warn("vif", at: value, note) }
        }
    }
}
