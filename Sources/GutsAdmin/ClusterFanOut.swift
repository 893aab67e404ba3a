import Foundation
import GutsMaintenance
import NIOCore

/// Runs a per-node operation (`cache-stats`, `compact`, `fsck`: each node has its own
/// RocksDB) on every live member of the cluster one node belongs to. It asks that node for
/// the members, then sends the operation to each member's advertised URL with the same
/// admin token, one member at a time in name order, so a compaction or a check never
/// loads more than one replica of a repository at once.
public struct ClusterFanOut: Sendable {
    /// What one member answered.
    public struct Outcome<Report: Codable & Sendable>: Codable, Sendable {
        public var node: String
        public var url: String
        public var report: Report?
        /// Why the member gave no report (unreachable, refused, busy).
        public var error: String?
    }

    /// The node asked for the member list.
    public let client: NodeClient

    public init(client: NodeClient) {
        self.client = client
    }

    /// The live members the node sees; a usage error when it is not in a cluster.
    public func members() async throws -> [ClusterMember] {
        let answer = try await client.perform(ClusterMembersOperation())
        guard answer.node != nil, !answer.members.isEmpty else {
            throw AdminError.usage("--all-members: the node at \(client.baseURL) is not in a cluster")
        }
        return answer.members
    }

    /// How long a member has to answer `/health/live` before it is reported unreachable:
    /// a dead member's connection attempts would otherwise be retried until the job's
    /// own timeout (hours).
    public var probeTimeout: TimeAmount = .seconds(5)

    /// Runs `operation` on every member under its job lock; a member that fails is
    /// reported with its error and the others still run.
    public func perform<Operation: AdminOperation>(_ operation: Operation) async throws -> [Outcome<Operation.Report>] {
        var outcomes = [Outcome<Operation.Report>]()
        for member in try await members() {
            var memberClient = NodeClient(baseURL: member.url, token: client.token)
            memberClient.timeout = client.timeout
            let backend = RemoteAdminBackend(client: memberClient, dataDirectory: nil)
            defer { backend.close() }
            do {
                var probe = memberClient
                probe.timeout = probeTimeout
                _ = try await probe.send("GET", "/health/live")
                outcomes.append(Outcome(node: member.name, url: member.url, report: try await backend.perform(operation)))
            } catch {
                outcomes.append(Outcome(node: member.name, url: member.url, error: "\(error)"))
            }
        }
        return outcomes
    }
}
