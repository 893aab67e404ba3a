/// File content. The body is stored as is; there is nothing to parse.
public struct Blob: Sendable, Hashable {
    public var content: [UInt8]

    public init(content: [UInt8]) { self.content = content }

    public init(parsing body: [UInt8]) throws { self.content = body }

    public func serialized() -> [UInt8] { content }
}
