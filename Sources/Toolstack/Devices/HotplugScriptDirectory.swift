// SPDX-License-Identifier: Apache-2.0
/// Where libxl finds hotplug scripts named without a path (`libxl__xen_script_dir_path`), and how it makes
/// a script name absolute (`libxl__abs_path`).
public enum HotplugScriptDirectory {
    public static let path = "/etc/xen/scripts"

    public static func absolute(_ script: String) -> String { script.hasPrefix("/") ? script : "\(path)/\(script)" }
}
