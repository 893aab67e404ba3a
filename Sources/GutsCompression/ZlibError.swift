/// An error from zlib, with the operation and zlib's own message.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let message: String
    /// The stream would have inflated past the caller's limit (a bomb, or a lie about its size).
    public var exceededLimit = false

    public var description: String { "zlib \(operation) failed (\(code)): \(message)" }
}
