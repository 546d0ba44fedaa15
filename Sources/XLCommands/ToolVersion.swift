// SPDX-License-Identifier: Apache-2.0
/// The version of `xl`, `init-dom0less` and `get_overlay`: the one place it is written.
public enum ToolVersion {
    public static let number = "0.9.0"

    /// The line `--version` prints for `program`.
    public static func line(_ program: String) -> String { "\(program) (xl-swift) \(number)" }
}
