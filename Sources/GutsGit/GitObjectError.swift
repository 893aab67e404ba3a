/// A git object body that does not parse as its type claims.
public struct GitObjectError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of object being parsed.
    public var type: ObjectType
    /// Byte offset in the body where the problem was found.
    public var offset: Int
    /// What is wrong, in a few words.
    public var reason: String

    public init(type: ObjectType, offset: Int, reason: String) {
        self.type = type
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "malformed \(type) object at byte \(offset): \(reason)" }
}
