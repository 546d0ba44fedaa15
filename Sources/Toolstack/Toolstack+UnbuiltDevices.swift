import XLConfig

extension Toolstack {
    /// The one place that refuses `disk=` and `vif=` for a real `xl create` while their back ends are not built:
    /// `xl -N create` parses and prints them, a real create stops here before it touches Xen.
    static func refuseUnbuiltDevices(_ config: DomainConfig, prefix: String) throws {
        for (key, count, what) in [("disk", config.disks.count, "virtual disks"), ("vif", config.nics.count, "network interfaces")] where count > 0 {
            let location = config.locations[DomainConfig.entryLocationKey(key, 0)].map { "\($0): " } ?? ""
            throw ToolstackError("\(prefix): \(location)\(key): this xl does not set up \(what) yet (xl -N create checks and prints them); "
                + "remove \(key)=, or create this guest with upstream's xl")
        }
    }
}
