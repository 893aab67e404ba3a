import GutsCluster
import GutsMaintenance
import GutsStorage

/// Admin operations in a cluster node write refs through the push path: `migrate import`
/// is placed like a push.
extension ClusterNode: AdminCluster {
    var nodeName: String { name }

    var members: [ClusterMember] {
        membership.snapshot.members.sorted { $0.key < $1.key }.map { ClusterMember(name: $0.key, url: $0.value) }
    }

    func writeRefs<Result: Sendable>(
        of repository: String,
        _ body: @escaping @Sendable (_ commit: @escaping @Sendable ([RefUpdate]) throws -> Void) async throws -> Result
    ) async throws -> Result {
        try await serializer.run(repository: repository) {
            let context = await preparePush(repository)
            if let failure = context.failure { throw AdminError.clusterRefused(failure) }
            let result: Result
            do {
                result = try await body { updates in try self.commitPushBlocking(repository, updates: updates, context: context) }
            } catch let error as ClusterError {
                throw AdminError.clusterRefused(error.description)
            } catch let refusal as PushRefusal {
                throw AdminError.clusterRefused(refusal.description)
            }
            if context.state?.head == nil { await publishHead(repository) }
            return result
        }
    }
}
