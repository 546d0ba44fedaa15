// SPDX-License-Identifier: Apache-2.0
/// The `type` key. ARM guests are always PVH; xl's other types are recognised only to explain that.
public enum DomainType: String, Hashable, Sendable, Codable, CaseIterable {
    case pvh

    /// What xl makes of a `type` value: it compares only the text given against each name's prefix
    /// (`strncmp(buf, "hvm", strlen(buf))`), in the order hvm, pv, pvh, so `""` and `"h"` mean hvm and `"p"` means pv.
    enum Requested: String, Hashable, Sendable {
        case hvm, pv, pvh
    }

    static func requested(_ text: String) -> Requested? {
        for candidate in [Requested.hvm, .pv, .pvh] where candidate.rawValue.utf8.starts(with: text.utf8) {
            return candidate
        }
        return nil
    }
}
