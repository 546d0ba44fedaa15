import XenTypes

/// The kinds of console `xl console -t` names, as libxl's `libxl_console_type` and xenconsole's `--type`.
public enum ConsoleType: String, CaseIterable, Sendable {
    /// The PV console ring xenconsoled serves (`/local/domain/N/console`, further ones under `device/console/N`).
    case pv
    /// The emulated serial port of an HVM guest (`/local/domain/N/serial/N`); ARM PVH guests have none.
    case serial
    /// The emulated SBSA UART (vpl011) of a guest with `vuart = "sbsa_uart"` (`/local/domain/N/vuart/0`).
    case vuart

    /// The spellings upstream's `xl console` accepts, for its error message.
    public static let spellings = "pv, serial, vuart"
}

/// The console `xl console` attaches to: the domain, the console's number and kind, and the xenstore node
/// where xenconsoled publishes its pty (`tty`), which xenconsole reads.
public struct ConsoleTarget: Hashable, Sendable {
    public var domain: DomainID
    public var number: Int
    public var type: ConsoleType
    public var ttyNode: String

    public init(domain: DomainID, number: Int, type: ConsoleType, ttyNode: String) {
        self.domain = domain
        self.number = number
        self.type = type
        self.ttyNode = ttyNode
    }
}
