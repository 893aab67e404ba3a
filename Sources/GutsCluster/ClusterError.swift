/// Why the cluster refused or could not finish a write; each reads as one line a git
/// client prints after `! [remote rejected]`.
public enum ClusterError: Error, CustomStringConvertible, Sendable {
    /// Another push, through this or another node, moved a ref first.
    case refsMoved(repository: String)
    /// This node's lease is not current: it may be cut off from etcd, so it takes no writes.
    case leaseLost
    /// Fewer replicas than a majority stored the push's objects.
    case replicationFailed(stored: Int, needed: Int, replicas: Int, reasons: [String])
    case etcd(EtcdError)
    /// A peer answered an internal request with an error.
    case peer(url: String, status: Int, message: String)
    /// No replica could send the objects a repository's refs need.
    case objectsUnavailable(repository: String, reasons: [String])

    public var description: String {
        switch self {
        case .refsMoved(let repository):
            "failed to update ref: \(repository) changed through another node meanwhile (fetch first)"
        case .leaseLost:
            "cluster unavailable: this node lost its etcd lease; try again later or through another node"
        case let .replicationFailed(stored, needed, replicas, reasons):
            "cluster unavailable: \(stored) of \(replicas) replicas stored the push, \(needed) needed" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))")
        case .etcd(let error): "cluster unavailable: \(error)"
        case let .peer(url, status, message): "replica \(url) answered \(status): \(message)"
        case let .objectsUnavailable(repository, reasons):
            "no replica could send the objects of \(repository): \(reasons.joined(separator: "; "))"
        }
    }
}
