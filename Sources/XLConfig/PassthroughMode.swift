// SPDX-License-Identifier: Apache-2.0
/// The `passthrough` key as libxl names the modes; on ARM only `disabled` and `share_pt` remain after defaults.
public enum PassthroughMode: String, Hashable, Sendable, Codable, CaseIterable {
    case `default`
    case disabled
    case enabled
    case syncPT = "sync_pt"
    case sharePT = "share_pt"
}
