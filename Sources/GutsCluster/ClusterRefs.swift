import Foundation
import GutsGit
import GutsStorage

/// Repositories, refs, HEAD and placement as etcd holds them.
public struct ClusterRefs: Sendable {
    public let etcd: EtcdClient

    public init(etcd: EtcdClient) { self.etcd = etcd }

    /// Everything etcd holds about `repository`, in one linearizable range (it reflects
    /// every transaction committed before the call began).
    public func state(_ repository: String) async throws -> RepositoryState {
        let (kvs, revision) = try await etcd.range(prefix: Array(ClusterKeys.repository(repository).utf8))
        return RepositoryState(repository: repository, kvs: kvs, revision: revision)
    }

    /// Every repository the cluster knows, from one linearizable range.
    public func allStates() async throws -> [String: RepositoryState] {
        let (kvs, revision) = try await etcd.range(prefix: Array(ClusterKeys.repositoriesPrefix.utf8))
        return Self.states(kvs, revision: revision)
    }

    /// Keys under `/guts/repos/` grouped by repository; those without `meta` are left out.
    public static func states(_ kvs: [EtcdKeyValue], revision: Int64) -> [String: RepositoryState] {
        var byRepository = [String: [EtcdKeyValue]]()
        for kv in kvs {
            let components = kv.keyString.dropFirst(ClusterKeys.repositoriesPrefix.count).split(separator: "/", maxSplits: 2)
            guard components.count == 3 else { continue }
            byRepository["\(components[0])/\(components[1])", default: []].append(kv)
        }
        return byRepository.reduce(into: [:]) { states, entry in
            let state = RepositoryState(repository: entry.key, kvs: entry.value, revision: revision)
            if state.exists { states[entry.key] = state }
        }
    }

    /// What a push that creates a repository in the cluster records with its refs.
    public struct Creation: Sendable, Equatable {
        public var placement: [String]
        public var meta: RepositoryMeta

        public init(placement: [String], meta: RepositoryMeta) {
            self.placement = placement
            self.meta = meta
        }
    }

    /// The one transaction of a push: every update's old value is compared (an old id, or
    /// absence for a create), and only if all hold are all new values written, with the
    /// repository's `meta` and `placement` when the push creates it.
    public static func transaction(repository: String, updates: [RefUpdate], creating creation: Creation?) -> EtcdTransaction {
        var transaction = EtcdTransaction()
        for update in updates {
            let key = ClusterKeys.ref(repository, update.name)
            if let expected = update.expected, !expected.isZero {
                transaction.compares.append(.valueEquals(key: key, value: Array(expected.hex.utf8)))
            } else {
                transaction.compares.append(.absent(key: key))
            }
            if let new = update.new, !new.isZero {
                transaction.success.append(.put(key: key, value: Array(new.hex.utf8)))
            } else {
                transaction.success.append(.delete(key: key))
            }
        }
        if let creation {
            transaction.success.append(.put(key: ClusterKeys.meta(repository), value: creation.meta.encoded()))
            transaction.success.append(.put(key: ClusterKeys.placement(repository), value: Array(creation.placement.joined(separator: ",").utf8)))
        }
        return transaction
    }

    /// Commits a push's ref updates; throws `ClusterError.refsMoved` when a compare failed.
    public func commit(repository: String, updates: [RefUpdate], creating creation: Creation?) async throws {
        do {
            guard try await etcd.commit(Self.transaction(repository: repository, updates: updates, creating: creation)) else {
                throw ClusterError.refsMoved(repository: repository)
            }
        } catch let error as EtcdError {
            throw ClusterError.etcd(error)
        }
    }

    /// Sets HEAD when the repository has none yet (its first push).
    public func setHeadIfAbsent(repository: String, target: String) async throws {
        let key = ClusterKeys.head(repository)
        _ = try await etcd.commit(EtcdTransaction(compares: [.absent(key: key)], success: [.put(key: key, value: Array(target.utf8))]))
    }
}
