// SPDX-License-Identifier: Apache-2.0
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
