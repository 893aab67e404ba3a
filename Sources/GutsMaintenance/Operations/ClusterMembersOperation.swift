/// `guts ... --all-members` asks this first: the node's name and the cluster's live
/// members, to run a per-node operation on each. A standalone node answers with no members.
public struct ClusterMembersOperation: AdminOperation, Equatable {
    public static let job = "cluster-members"
    public static let route: AdminRoute? = AdminRoute(.get, "/admin/cluster/members")
    public static let isExclusive = false

    public struct Report: Sendable, Codable, Equatable {
        /// The answering node's name; nil when it is not clustered.
        public var node: String?
        public var members: [ClusterMember]

        public init(node: String?, members: [ClusterMember]) {
            self.node = node
            self.members = members
        }
    }

    public init() {}
    public init(query: AdminQuery) {}
    public var query: [String: String] { [:] }

    public func run(in context: AdminContext) async throws -> Report {
        Report(node: context.cluster?.nodeName, members: context.cluster?.members ?? [])
    }
}
