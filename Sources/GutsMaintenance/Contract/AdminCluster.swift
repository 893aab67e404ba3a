import GutsStorage

/// What a running cluster node offers its admin operations: its membership, and writing a
/// repository's refs the way a push does. The node fills it in (`AdminContext.cluster`);
/// it is nil offline and in a standalone node.
public protocol AdminCluster: Sendable {
    /// This node's name in the cluster.
    var nodeName: String { get }

    /// The live members as this node last saw them, sorted by name.
    var members: [ClusterMember] { get }

    /// Runs `body` holding `repository`'s push turn, with its local refs brought to the
    /// cluster's first. `body` must pass its ref updates to `commit` before it moves the
    /// local refs: `commit` sends the objects the updates reach to a majority of the
    /// repository's replicas, durably, then commits the updates in one etcd transaction
    /// comparing every old value, and throws (leaving the refs unmoved) when either fails.
    func writeRefs<Result: Sendable>(
        of repository: String,
        _ body: @escaping @Sendable (_ commit: @escaping @Sendable ([RefUpdate]) throws -> Void) async throws -> Result
    ) async throws -> Result
}

/// One live member of a cluster.
public struct ClusterMember: Sendable, Codable, Equatable {
    public var name: String
    /// Its advertised URL.
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}
