/// Why an `HTTPExchange` got no complete response; each case reads as one line.
public enum HTTPExchangeError: Error, CustomStringConvertible, Equatable, Sendable {
    case connectFailed(host: String, port: Int, reason: String)
    case connectionClosed
    case connectionFailed(String)
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .connectionClosed: "the connection closed before the response ended"
        case .connectionFailed(let reason): "the connection failed: \(reason)"
        case .timedOut(let seconds): "no complete response within \(seconds) s"
        }
    }
}
