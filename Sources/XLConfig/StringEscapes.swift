// SPDX-License-Identifier: Apache-2.0
/// The backslash escapes of quoted config strings.
///
/// libxlutil handles the single-letter ones; its numeric escapes are broken (`\101` is dropped, `\x41` is
/// rejected), so here `\OOO` (1–3 octal digits) and `\xHH` (1–2 hex digits) mean the byte they name.
enum StringEscapes {
    /// `\"`, `\'`, `\\`, `\a`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`, as in `xlu__cfgl_dequote`.
    static let simple: [UInt8: UInt8] = [
        UInt8(ascii: "\""): UInt8(ascii: "\""),
        UInt8(ascii: "'"): UInt8(ascii: "'"),
        UInt8(ascii: "\\"): UInt8(ascii: "\\"),
        UInt8(ascii: "a"): 0x07,
        UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C,
        UInt8(ascii: "n"): 0x0A,
        UInt8(ascii: "r"): 0x0D,
        UInt8(ascii: "t"): 0x09,
        UInt8(ascii: "v"): 0x0B,
    ]

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
