// SPDX-License-Identifier: Apache-2.0
extension DomainConfig {
    /// `static_shm`: a list of `SSHM_SPEC` strings. Each spec is checked on its own, then against the others:
    /// ids unique in the file, regions of this domain not overlapping. Each spec's location is kept in
    /// ``locations`` as `static_shm[N]`, for messages at create time.
    mutating func readStaticSharedMemory(_ reader: inout DomainConfigReader) throws(DomainConfigError) {
        let example = "[ \"id=ID1, begin=0x40000000, size=0x100000, role=owner\" ]"
        guard let items = try reader.list("static_shm", example: example) else { return }
        guard items.count <= StaticSharedMemory.maxRegions else {
            throw reader.error("static_shm", "lists \(items.count) regions; at most \(StaticSharedMemory.maxRegions)")
        }
        for (index, (text, value)) in items.enumerated() {
            let location = reader.location("static_shm", at: value)
            let spec: StaticSharedMemory
            do {
                spec = try StaticSharedMemory(parsing: text)
            } catch {
                throw DomainConfigError(location: location, key: StaticSharedMemory.label(index: index, id: error.id),
                                        message: (error.field.map { "\($0): " } ?? "") + error.reason)
            }
            let label = StaticSharedMemory.label(index: index, id: spec.id)
            for (other, earlier) in staticSharedMemory.enumerated() {
                if earlier.id == spec.id {
                    throw DomainConfigError(location: location, key: label, message: "id: \(spec.id) is also static_shm[\(other)]; each id may appear once in a file")
                }
                if earlier.range.overlaps(spec.range) {
                    throw DomainConfigError(location: location, key: label, message: "begin: \(StaticSharedMemory.describe(spec.range)) overlaps "
                        + "\(StaticSharedMemory.label(index: other, id: earlier.id)) at \(StaticSharedMemory.describe(earlier.range))")
                }
            }
            staticSharedMemory.append(spec)
            locations[StaticSharedMemory.locationKey(index)] = location
        }
    }
}

extension StaticSharedMemory {
    /// The key under which ``DomainConfig/locations`` keeps where spec `index` is.
    public static func locationKey(_ index: Int) -> String { "static_shm[\(index)]" }
}
