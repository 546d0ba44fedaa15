/// A failed toolstack operation, as the one line `xl` prints on stderr (exit status 1).
public struct ToolstackError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
