// SPDX-License-Identifier: Apache-2.0
/// A failed hand-off, as one line naming the step and what went wrong.
public struct HandoffError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
