// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl dt-overlay`: device-tree overlays at run time.
struct DTOverlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dt-overlay",
        abstract: "Add or remove a device-tree overlay in Xen's device tree, or attach its devices to a domain.",
        subcommands: [Add.self, Remove.self, Attach.self, List.self]
    )

    /// `xl dt-overlay add FILE [DOMAIN [NODE_NAME TYPE PARTIAL]]`.
    struct Add: XLSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the nodes of a dtbo to Xen's device tree (Xen 4.18+; on 4.18 dom0 also gets the devices).",
            discussion: "With DOMAIN (expert mode), also attach the devices to DOMAIN; if that fails, the add is undone. With NODE_NAME TYPE PARTIAL too (normal mode), prepare the guest's copy of the overlay, hand it to the domU's get_overlay, add and attach, then let the guest apply it.")
        @Argument(help: ArgumentHelp("The overlay blob (.dtbo).", valueName: "FILE"), completion: .file(extensions: ["dtbo"])) var file: String
        @OptionGroup var guest: GuestArguments

        func validate() throws { try guest.validate() }

        func run(_ context: CommandContext) throws {
            let overlay = try OverlayFile(path: file)
            switch try guest.mode() {
            case .hostOnly: try context.toolstack().addOverlay(overlay)
            case .expert(let domain): try context.toolstack().addOverlay(overlay, attachingTo: domain)
            case .normal(let domain, let request): try guest.toolstack(context).addOverlay(overlay, forGuest: domain, request: request)
            }
        }
    }

    /// `xl dt-overlay remove FILE [DOMAIN [NODE_NAME TYPE PARTIAL]]`.
    struct Remove: XLSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the nodes an earlier add of the same dtbo put into Xen's device tree.",
            discussion: "With DOMAIN, the overlay must be attached to DOMAIN (Xen has no detach: a running domU keeps the devices until it is destroyed). With NODE_NAME TYPE PARTIAL too (normal mode), the guest drops its copy first.")
        @Argument(help: ArgumentHelp("The overlay blob, byte for byte the one added.", valueName: "FILE"), completion: .file(extensions: ["dtbo"])) var file: String
        @OptionGroup var guest: GuestArguments

        func validate() throws { try guest.validate() }

        func run(_ context: CommandContext) throws {
            let overlay = try OverlayFile(path: file)
            switch try guest.mode() {
            case .hostOnly: try context.toolstack().removeOverlay(overlay)
            case .expert(let domain): try context.toolstack().removeOverlay(overlay, attachedTo: domain)
            case .normal(let domain, let request): try guest.toolstack(context).removeOverlay(overlay, fromGuest: domain, request: request)
            }
        }
    }

    /// `xl dt-overlay attach FILE DOMAIN`.
    struct Attach: XLSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Give the devices of an added dtbo to a direct-mapped domain: IRQs and MMIO 1:1, and the IOMMU (Xen 4.19+).")
        @Argument(help: ArgumentHelp("The overlay blob, byte for byte the one added.", valueName: "FILE"), completion: .file(extensions: ["dtbo"])) var file: String
        @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String

        func run(_ context: CommandContext) throws {
            let overlay = try OverlayFile(path: file)
            try context.toolstack().attachOverlay(overlay, to: domain)
        }
    }

    /// `xl dt-overlay list`.
    struct List: XLSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "List the overlays added on this host, their nodes and the domain they are attached to.")
        @Flag(help: "Print JSON.") var json = false

        func run(_ context: CommandContext) throws {
            let records = try context.toolstack().listOverlays()
            if json {
                context.output.line(try OverlayListing.json(records))
            } else {
                for line in OverlayListing.table(records) { context.output.line(line) }
            }
        }
    }
}
