// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Toolstack

/// `xl network-attach DOMAIN [SPEC...]`.
struct NetworkAttachCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "network-attach", abstract: "Create a new virtual network device.",
        discussion: "SPEC is one vif setting of xl-network-configuration(5): type=, mac=, bridge=, ip=, script=, backend=, vifname=, rate=, mtu=, devid=.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("vif settings, such as mac=00:16:3e:00:00:01 bridge=xenbr0.", valueName: "SPEC")) var specs: [String] = []

    func run(_ context: CommandContext) throws {
        let nic = try DeviceSpecs.networkInterface(specs, domain: domain)
        try context.toolstack().attachNetwork(domain, nic)
    }
}

/// `xl network-detach DOMAIN DEVID|MAC`.
struct NetworkDetachCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "network-detach", abstract: "Destroy a domain's virtual network device.")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The device's devid, or its MAC address.", valueName: "DEVID|MAC")) var device: String

    func run(_ context: CommandContext) throws { try context.toolstack().detachNetwork(domain, device: device) }
}

/// `xl network-list DOMAIN...`.
struct NetworkListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "network-list", abstract: "List virtual network interfaces for a domain.")
    @Argument(help: ArgumentHelp("Domain ids or names.", valueName: "DOMAIN"), completion: .domains) var domains: [String]

    func validate() throws {
        if domains.isEmpty { throw ValidationError("give at least one domain") }
    }

    func run(_ context: CommandContext) throws {
        for line in try context.toolstack().networkList(domains) { context.output.line(line) }
    }
}

/// `xl block-attach DOMAIN DISKSPEC...`.
struct BlockAttachCommand: XLSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "block-attach", abstract: "Create a new virtual block device.",
        discussion: "DISKSPEC is a disk spec of xl-disk-configuration(5), in one or more arguments: target=, vdev=, format=, access=, devtype=, backendtype=, backend=, script=, ...")
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The disk spec, such as format=raw,vdev=xvdb,access=rw,target=/srv/disk.img.", valueName: "DISKSPEC")) var specs: [String]

    func validate() throws {
        if specs.isEmpty { throw ValidationError("give a disk spec") }
    }

    func run(_ context: CommandContext) throws {
        let disk = try DeviceSpecs.disk(specs, domain: domain)
        try context.toolstack().attachDisk(domain, disk)
    }
}

/// `xl block-detach [-f] DOMAIN VDEV|DEVID`.
struct BlockDetachCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "block-detach", abstract: "Destroy a domain's virtual block device.")
    @Flag(name: [.customShort("f"), .customLong("force")], help: "Do not wait for the domain to release the device.") var force = false
    @Argument(help: ArgumentHelp("The domain id or name.", valueName: "DOMAIN"), completion: .domains) var domain: String
    @Argument(help: ArgumentHelp("The disk's vdev (xvdb) or devid (51728).", valueName: "VDEV|DEVID")) var device: String

    func run(_ context: CommandContext) throws { try context.toolstack().detachDisk(domain, device: device, force: force) }
}

/// `xl block-list DOMAIN...`.
struct BlockListCommand: XLSubcommand {
    static let configuration = CommandConfiguration(commandName: "block-list", abstract: "List virtual block devices for a domain.")
    @Argument(help: ArgumentHelp("Domain ids or names.", valueName: "DOMAIN"), completion: .domains) var domains: [String]

    func validate() throws {
        if domains.isEmpty { throw ValidationError("give at least one domain") }
    }

    func run(_ context: CommandContext) throws {
        for line in try context.toolstack().blockList(domains) { context.output.line(line) }
    }
}
