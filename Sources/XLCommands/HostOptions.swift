// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// Which Xen host a tool works on: the options `xl` and `init-dom0less` share.
struct HostOptions: ParsableArguments {
    @Option(name: .customLong("simulate"), help: ArgumentHelp("Run against a simulated Xen host kept in DIR (also XL_SIMULATE).", valueName: "DIR"), completion: .directory)
    var simulate: String?

    @Option(name: .customLong("host-dtb"), help: ArgumentHelp("The device tree Xen booted with, for checks (and to boot a new simulated host).", valueName: "FILE"), completion: .file(extensions: ["dtb"]))
    var hostDTB: String?

    @Option(name: .customLong("xen-version"), help: ArgumentHelp("The Xen release of a new simulated host (default 4.19).", valueName: "X.Y"))
    var xenVersion: String?
}
