// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// The root of the `xl` command tree.
struct XLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xl",
        abstract: "Xen toolstack for ARM hosts.",
        discussion: """
            Global options come before the subcommand:
              -v                 verbose (repeatable)
              -N                 dry run: check and print what would be done, change nothing
              -f                 force (xl -f destroy: also an owner whose static_shm region is still mapped)
              --simulate DIR     run against a simulated Xen host kept in DIR (also XL_SIMULATE=DIR)
              --host-dtb FILE    the device tree Xen booted with (checks; boots a new simulated host)
              --xen-version X.Y  the Xen release of a new simulated host (default 4.19)
              --xen-flavour NAME upstream (default) or xilinx: the Xen of a new simulated host
              --version          print the version and exit
            """,
        subcommands: [
            CreateCommand.self, DestroyCommand.self, ListCommand.self, PauseCommand.self, UnpauseCommand.self, RenameCommand.self,
            DomidCommand.self, DomnameCommand.self, DTOverlayCommand.self,
            ShutdownCommand.self, RebootCommand.self, MonitorCommand.self, ConsoleCommand.self, UptimeCommand.self, SysrqCommand.self, InfoCommand.self, DmesgCommand.self,
            NetworkAttachCommand.self, NetworkDetachCommand.self, NetworkListCommand.self,
            BlockAttachCommand.self, BlockDetachCommand.self, BlockListCommand.self,
            VCPUListCommand.self, VCPUPinCommand.self, VCPUSetCommand.self, MemMaxCommand.self, MemSetCommand.self,
            CPUPoolCreateCommand.self, CPUPoolListCommand.self, CPUPoolDestroyCommand.self, CPUPoolRenameCommand.self,
            CPUPoolCPUAddCommand.self, CPUPoolCPURemoveCommand.self, CPUPoolMigrateCommand.self,
        ]
    )
}
