// SPDX-License-Identifier: Apache-2.0
/// The simulated guest kernel's consoles, as Linux picks them from its command line: kernel messages go to every
/// console a `console=` option names that the guest has, `hvc0` (the PV console) and `ttyAMA0` (the vpl011);
/// with none of them named, to `hvc0`, the console Linux prefers on Xen.
extension SimulatedGuest {
    /// The console names of the kernel command line's `console=` options, without their `,options`.
    private var consoleNames: [Substring] {
        (cmdline ?? "").split(separator: " ").compactMap { word -> Substring? in
            guard word.hasPrefix("console=") else { return nil }
            return word.dropFirst("console=".count).split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first
        }
    }

    /// Whether kernel messages reach the vpl011, and whether they reach the PV console.
    private var writesTo: (vuart: Bool, pv: Bool) {
        let names = consoleNames
        let vuart = vpl011 != nil && names.contains("ttyAMA0")
        return (vuart, names.contains("hvc0") || !vuart)
    }

    /// Appends `text` to the consoles the kernel writes to, keeping the newest ``consoleLimit`` bytes of each.
    mutating func write(_ text: String) {
        func appended(_ old: String?) -> String {
            String(decoding: ((old ?? "") + text).utf8.suffix(Self.consoleLimit), as: UTF8.self)
        }
        let targets = writesTo
        if targets.pv { console = appended(console) }
        if targets.vuart { vuartConsole = appended(vuartConsole) }
    }

    /// What the guest wrote so far to its vpl011 (`vuart`) or to its PV console.
    public func output(vuart: Bool) -> String { (vuart ? vuartConsole : console) ?? "" }
}
