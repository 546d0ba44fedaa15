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
              -f                 force
              --simulate DIR     run against a simulated Xen host kept in DIR (also XL_SIMULATE=DIR)
              --host-dtb FILE    the device tree Xen booted with (checks; boots a new simulated host)
              --xen-version X.Y  the Xen release of a new simulated host (default 4.19)
            """,
        subcommands: [CreateCommand.self, DestroyCommand.self, ListCommand.self, DTOverlayCommand.self]
    )
}
