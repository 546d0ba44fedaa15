// SPDX-License-Identifier: Apache-2.0
import XLConfig

/// `nr_spis` as `libxl__arch_domain_prepare_config` computes it: enough SPIs for the vpl011 and every passthrough IRQ.
enum SPICount {
    static func required(_ config: DomainConfig) throws -> UInt32 {
        let where_ = { (key: String) in config.locations[key].map { "\($0): " } ?? "" }
        var count: UInt32 = 0
        if config.vuart == .sbsaUART { count = GuestLayout.vpl011SPI - 32 + 1 }
        for irq in config.irqs where irq >= 32 {
            if config.vuart == .sbsaUART, irq == GuestLayout.vpl011SPI {
                throw ToolstackError("\(where_("irqs"))irqs: physical IRQ \(irq) conflicts with the vpl011's SPI (vuart = \"sbsa_uart\" uses IRQ \(GuestLayout.vpl011SPI))")
            }
            count = max(count, irq - 32 + 1)
        }
        if let given = config.nrSPIs {
            guard given >= count else {
                throw ToolstackError("\(where_("nr_spis"))nr_spis: \(given) is too small; irqs and vuart need at least \(count)")
            }
            return given
        }
        return count
    }
}
