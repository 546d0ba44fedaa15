// SPDX-License-Identifier: Apache-2.0
/// `xl console` on a terminal in simulation: after what the guest wrote so far it stays attached, as xenconsole
/// does, and prints what the guest writes as it writes it (another `xl` shutting it down, say), until the escape
/// character is typed, stdin ends, or the domain is gone. The simulated guest reads no input: other keys are dropped.
struct SimulatedConsoleFollow {
    /// What one wait for a key gave.
    enum Input: Equatable {
        case byte(UInt8)
        case none
        case end
    }

    /// Why following stopped.
    enum End: Equatable {
        case detached
        case inputEnded
        case domainGone
    }

    /// The byte that detaches.
    var escape: UInt8
    /// Waits up to the given seconds for a key.
    var input: (Double) -> Input
    /// What the guest wrote so far; nil once the domain is gone.
    var output: () throws -> String?
    var write: (String) -> Void

    /// How long each wait for a key lasts before the console is looked at again.
    static let pollSeconds = 0.2
    /// xenconsole's default escape, Ctrl-].
    static let defaultEscape: UInt8 = 0x1d
    /// How much of what was shown is looked for again once the oldest output was dropped.
    static let anchorBytes = 256

    /// Follows the console; `shown` is what was printed already.
    func run(after shown: String) throws -> End {
        var shown = shown
        while true {
            switch input(Self.pollSeconds) {
            case .byte(escape): return .detached
            case .end: return .inputEnded
            case .byte, .none: break
            }
            guard let now = try output() else { return .domainGone }
            write(Self.added(since: shown, now: now))
            shown = now
        }
    }

    /// The byte `-e` names, as xenconsole reads it: `^X` is Ctrl-X, one character is itself.
    static func escapeByte(_ text: String?) -> UInt8 {
        guard let bytes = text.map({ Array($0.utf8) }), !bytes.isEmpty else { return defaultEscape }
        return bytes.count == 2 && bytes[0] == UInt8(ascii: "^") ? bytes[1] & 0x1f : bytes[0]
    }

    /// What `now` holds beyond `old`. The guest keeps only its newest bytes, so once it dropped the oldest the
    /// end of `old` is looked for in `now`; when it is not there (the domain was replaced), all of `now` is new.
    static func added(since old: String, now: String) -> String {
        let before = Array(old.utf8), after = Array(now.utf8)
        if after.starts(with: before) { return String(decoding: after[before.count...], as: UTF8.self) }
        let anchor = before.suffix(anchorBytes)
        guard !anchor.isEmpty, after.count >= anchor.count else { return now }
        for start in stride(from: after.count - anchor.count, through: 0, by: -1) where after[start..<(start + anchor.count)].elementsEqual(anchor) {
            return String(decoding: after[(start + anchor.count)...], as: UTF8.self)
        }
        return now
    }
}
