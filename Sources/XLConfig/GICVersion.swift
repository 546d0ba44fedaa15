// SPDX-License-Identifier: Apache-2.0
/// The `gic_version` key: which virtual interrupt controller the guest gets.
public enum GICVersion: String, Hashable, Sendable, Codable, CaseIterable {
    /// Same as the host's.
    case `default`
    case v2
    case v3
}
