// SPDX-License-Identifier: Apache-2.0
/// The simulated host cannot be opened or saved; one line naming the directory or file at fault.
public struct SimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
