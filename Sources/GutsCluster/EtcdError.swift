/// Why a call to etcd failed, in words an operator (or a git client) can act on.
public enum EtcdError: Error, CustomStringConvertible, Sendable {
    /// No endpoint answered: each one's failure, in the order they were tried.
    case unavailable([String])
    /// etcd answered with an error (`etcdserver: no leader`, an invalid request...).
    case server(endpoint: String, status: Int, message: String)
    /// The answer was not the JSON the gateway documents.
    case malformedResponse(endpoint: String, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let failures): "etcd unreachable (\(failures.joined(separator: "; ")))"
        case .server(let endpoint, let status, let message): "etcd at \(endpoint) answered \(status): \(message)"
        case .malformedResponse(let endpoint, let reason): "etcd at \(endpoint) sent an unexpected answer: \(reason)"
        }
    }
}
