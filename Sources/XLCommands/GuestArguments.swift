// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import OverlayHandoff
import Toolstack

/// The optional `DOMAIN [NODE_NAME TYPE PARTIAL]` of `xl dt-overlay add` and `remove`.
struct GuestArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("Expert mode: the domain id or name to attach the devices to.", valueName: "DOMAIN"), completion: .domains)
    var domain: String?
    @Argument(help: ArgumentHelp("Normal mode: the name the guest gives the overlay.", valueName: "NODE_NAME"))
    var nodeName: String?
    @Argument(help: ArgumentHelp("Normal mode: normal or fpga.", valueName: "TYPE"))
    var type: String?
    @Argument(help: ArgumentHelp("Normal mode: 1 for a partial FPGA overlay, else 0.", valueName: "PARTIAL"))
    var partial: String?
    @Option(help: ArgumentHelp("Normal mode: seconds each step of the hand-off with the guest may take (default 30).", valueName: "SECONDS"))
    var timeout: Double?

    /// The longest `--timeout` accepted, in seconds.
    static let maximumTimeout = 3600.0

    /// Which of the three forms the arguments select.
    enum Mode {
        case hostOnly
        case expert(domain: String)
        case normal(domain: String, request: GuestOverlayRequest)
    }

    func validate() throws { _ = try mode() }

    /// The form selected; a `ValidationError` (exit status 2) for a bad count or value.
    func mode() throws -> Mode {
        if let timeout {
            guard timeout > 0, timeout <= Self.maximumTimeout else {
                throw ValidationError("--timeout \(timeout): give more than 0 and at most \(Int(Self.maximumTimeout)) seconds")
            }
            guard nodeName != nil else { throw ValidationError("--timeout applies only to normal mode (DOMAIN NODE_NAME TYPE PARTIAL)") }
        }
        guard let domain else { return .hostOnly }
        switch (nodeName, type, partial) {
        case (nil, nil, nil):
            return .expert(domain: domain)
        case let (name?, type?, partial?):
            do {
                return .normal(domain: domain, request: try GuestOverlayRequest(name: name, type: type, partial: partial))
            } catch {
                throw ValidationError(error.message)
            }
        default:
            throw ValidationError("normal mode needs all of NODE_NAME, TYPE and PARTIAL after DOMAIN")
        }
    }
}

extension GuestArguments {
    /// The toolstack for normal mode: the context's, with the hand-off's timeout.
    func toolstack(_ context: CommandContext) throws -> Toolstack {
        let toolstack = try context.toolstack()
        if let timeout { toolstack.handoffTimeout = timeout }
        return toolstack
    }
}
