/// Where the node serves an admin operation: an HTTP method and a path under `/admin`.
public struct AdminRoute: Sendable, Hashable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public let method: Method
    public let path: String

    public init(_ method: Method, _ path: String) {
        self.method = method
        self.path = path
    }
}
