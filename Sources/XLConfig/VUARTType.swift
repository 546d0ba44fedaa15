// SPDX-License-Identifier: Apache-2.0
/// The `vuart` key: the emulated UART for early console output.
public enum VUARTType: String, Hashable, Sendable, Codable, CaseIterable {
    /// libxl's name for "no vuart".
    case unknown
    /// An SBSA (pl011 subset) UART at `GUEST_PL011_BASE`, using SPI 32 (IRQ 32).
    case sbsaUART = "sbsa_uart"
}
