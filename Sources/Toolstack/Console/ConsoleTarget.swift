// SPDX-License-Identifier: Apache-2.0
import XenTypes

/// The console `xl console` attaches to: the domain, the console's number and kind, and the xenstore node
/// where xenconsoled publishes its pty (`tty`), which xenconsole reads.
public struct ConsoleTarget: Hashable, Sendable {
    public var domain: DomainID
    public var number: Int
    public var type: ConsoleType
    public var ttyNode: String

    public init(domain: DomainID, number: Int, type: ConsoleType, ttyNode: String) {
        self.domain = domain
        self.number = number
        self.type = type
        self.ttyNode = ttyNode
    }
}
