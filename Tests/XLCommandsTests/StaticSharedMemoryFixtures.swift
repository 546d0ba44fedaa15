// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Seed 004's three domains: its example taken literally, and the same topology with ARM addresses
/// (owner regions inside vm1's RAM at 0x40000000, borrower regions above vm2's and vm3's RAM, vm3's size fitting).
enum StaticSharedMemoryFixtures {
    static let literal = [
        "vm1": [
            "id=ID1, begin=0x100000, size=0x100000, role=owner, cache_policy=x86_normal, prot=rw",
            "id=ID2, begin=0x300000, size=0x100000, role=owner",
        ],
        "vm2": ["id=ID1, offset=0, begin=0x500000, size=0x100000, role=borrower, prot=rw"],
        "vm3": ["id=ID2, offset=0x10000, begin=0x690000, size=0x110000, role=borrower"],
    ]

    static let arm = [
        "vm1": ["id=ID1, begin=0x48100000, size=0x100000, role=owner, prot=rw", "id=ID2, begin=0x48300000, size=0x100000, role=owner"],
        "vm2": ["id=ID1, offset=0, begin=0x60500000, size=0x100000, role=borrower, prot=rw"],
        "vm3": ["id=ID2, offset=0x10000, begin=0x60690000, size=0xf0000, role=borrower"],
    ]

    /// A config named `name` with `memory` MiB (vm1 256, the others 128) and the given `static_shm` specs.
    static func config(_ name: String, kernel: String, specs: [String], extra: String = "") -> String {
        let list = specs.map { "\"\($0)\"" }.joined(separator: ",\n    ")
        return """
            name = "\(name)"
            kernel = "\(kernel)"
            memory = \(name == "vm1" ? 256 : 128)
            static_shm = [ \(list) ]
            \(extra)
            """
    }
}

extension XLRunner {
    /// Boots a new simulated host of `flavour` and writes a kernel; returns its path.
    func staticSharedMemoryHost(flavour: String = "xilinx") throws -> String {
        let result = run(["--xen-flavour", flavour, "list"])
        guard result.status == 0 else { throw XLRunnerFailure(result.stderr) }
        return try file("Image", CreateFixtures.kernel)
    }

    /// Writes the config of `name` from `specs`; returns its path.
    func staticSharedMemoryConfig(_ name: String, kernel: String, specs: [String], extra: String = "", file fileName: String? = nil) throws -> String {
        try file(fileName ?? "\(name).cfg", Array(StaticSharedMemoryFixtures.config(name, kernel: kernel, specs: specs, extra: extra).utf8))
    }

    /// The host's files, except Xen's next-domid rover, which a failed create advances in Xen too.
    func traces() throws -> [String: NSDictionary] {
        var result: [String: NSDictionary] = [:]
        for (name, data) in snapshot() {
            guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw XLRunnerFailure("\(name) is not an object") }
            object["nextDomainID"] = nil
            result[name] = object as NSDictionary
        }
        return result
    }
}

/// A set-up step of a test failed.
struct XLRunnerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
