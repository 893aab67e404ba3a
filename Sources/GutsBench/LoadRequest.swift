/// The request a load generator repeats on every connection.
public struct LoadRequest: Sendable {
    /// HTTP method, e.g. `"GET"` or `"POST"`.
    public var method: String
    public var path: String
    /// Sent as `Authorization: Bearer <token>` when set.
    public var token: String?
    /// The JSON body of a connection's n-th request, or nil for none.
    public var body: (@Sendable (_ connection: Int, _ sequence: Int) -> String)?

    public init(
        method: String = "GET", path: String, token: String? = nil,
        body: (@Sendable (_ connection: Int, _ sequence: Int) -> String)? = nil
    ) {
        self.method = method
        self.path = path
        self.token = token
        self.body = body
    }
}
