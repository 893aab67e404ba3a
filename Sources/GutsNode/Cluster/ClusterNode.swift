import Foundation
import GutsCluster
import GutsGit
import GutsStorage
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A node's part in a cluster: keeps local refs in step with etcd, fetches missing
/// objects from replicas, replicates and commits pushes, and runs anti-entropy.
///
/// Local RocksDB stays the store every request is served from; etcd is the authority on
/// refs. Before a push or a fetch the repository's local refs are brought to etcd's
/// (`synchronize`); a push's objects reach a majority of its replicas, durably, before its
/// single etcd transaction, and only after that commit do the local refs move.
final class ClusterNode: Service, Sendable {
    struct CatchUp: Sendable, Equatable {
        var running = false
        /// Complete anti-entropy passes since start.
        var passes = 0
        /// Repositories whose local refs differed from etcd's in the last pass.
        var behind = 0
        var lastError: String?
    }

    let membership: ClusterMembership
    let refs: ClusterRefs
    let peers: PeerClient
    let replication: Int
    let storage: Storage
    /// Object imports and pack generation for peers: a pool of their own, so a push
    /// waiting on replicas never holds the threads those replicas' requests need.
    let pool: BlockingPool
    let serializer: PushSerializer
    let temporaryDirectory: String
    let token: String
    let logger: Logger
    let antiEntropyInterval: Duration
    private let catchUp = NIOLockedValueBox(CatchUp())

    init(configuration: NodeConfiguration, storage: Storage, serializer: PushSerializer, temporaryDirectory: String, logger: Logger) {
        let etcd = EtcdClient(endpoints: configuration.etcdEndpoints)
        membership = ClusterMembership(
            etcd: etcd, name: configuration.nodeName, advertise: configuration.advertiseURL.isEmpty ? nil : configuration.advertiseURL,
            ttlSeconds: configuration.clusterLeaseSeconds, logger: logger)
        refs = ClusterRefs(etcd: etcd)
        peers = PeerClient(token: configuration.clusterToken)
        replication = configuration.replication
        self.storage = storage
        pool = BlockingPool(threads: 2, queueLimit: 256)
        self.serializer = serializer
        self.temporaryDirectory = temporaryDirectory
        token = configuration.clusterToken
        self.logger = logger
        antiEntropyInterval = .seconds(2)
    }

    var name: String { membership.name }
    var catchUpState: CatchUp { catchUp.withLockedValue { $0 } }

    // MARK: Reads

    /// Brings the local copy of `repository` to etcd's refs before a fetch. When etcd cannot
    /// be reached (or this node's last renewal failed) the local refs are served as they
    /// are: reads go on without quorum, possibly stale.
    ///
    /// Only a repository whose local refs differ waits for its push turn, so reads of a
    /// repository that is current run in parallel.
    func synchronizeForRead(_ repository: String) async {
        guard membership.snapshot.lastError == nil else { return }
        do {
            let state = try await refs.state(repository)
            guard try await !isCurrent(repository, state) else { return }
            _ = try await serializer.run(repository: repository) { try await self.synchronize(repository) }
        } catch {
            logger.warning("serving local refs: cannot synchronize with etcd", metadata: ["repository": "\(repository)", "error": "\(error)"])
        }
    }

    /// Makes the local refs and HEAD of `repository` equal etcd's, fetching missing objects
    /// from replicas first; the state read. The caller holds the repository's push turn.
    @discardableResult
    func synchronize(_ repository: String) async throws -> RepositoryState {
        let state: RepositoryState
        do {
            state = try await refs.state(repository)
        } catch let error as EtcdError {
            throw ClusterError.etcd(error)
        }
        guard try await !isCurrent(repository, state) else { return state }
        let storage = self.storage
        let meta = state.meta ?? RepositoryMeta()
        let target = try await pool.run {
            let local = try Self.localRepository(repository, in: storage, meta: meta)
            return meta.matches(local) ? local : try storage.repositories.modify(name: repository) { meta.apply(to: &$0) }
        }
        let missing = try await pool.run {
            let objects = storage.objects(target)
            return try Set(state.refs.values).filter { try !objects.contains($0) }
        }
        if !missing.isEmpty {
            try await fetch(Array(missing), of: repository, into: target, preferring: state.placement)
        }
        try await pool.run {
            let store = storage.refs(target)
            let current = Dictionary(try store.list().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
            let updates = Set(current.keys).union(state.refs.keys).sorted().compactMap { name -> RefUpdate? in
                current[name] == state.refs[name] ? nil : RefUpdate(name: name, expected: current[name], new: state.refs[name])
            }
            try store.transaction(updates)
            if let head = state.head, try store.head() != head { try store.setHead(head) }
        }
        logger.info("repository synchronized from etcd", metadata: ["repository": "\(repository)", "refs": "\(state.refs.count)", "fetched": "\(missing.count)"])
        return state
    }

    /// True when the local settings, refs and HEAD of `repository` are `state`'s (or etcd
    /// does not know it).
    func isCurrent(_ repository: String, _ state: RepositoryState) async throws -> Bool {
        guard let meta = state.meta else { return true }
        let storage = self.storage
        return try await pool.run {
            guard let found = try storage.repositories.get(name: repository), meta.matches(found) else { return false }
            let refs = storage.refs(found)
            let local = Dictionary(try refs.list().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
            return try local == state.refs && (state.head == nil || refs.head() == state.head)
        }
    }

    /// The local repository `name`, created with `meta`'s settings if absent.
    static func localRepository(_ name: String, in storage: Storage, meta: RepositoryMeta) throws -> Repository {
        if let found = try storage.repositories.get(name: name) { return found }
        do {
            return try storage.repositories.create(
                name: name, isPrivate: meta.isPrivate, description: meta.description, defaultBranch: meta.defaultBranch,
                allowForcePush: meta.allowForcePush)
        } catch {
            // Created meanwhile by a concurrent replication request.
            if let found = try storage.repositories.get(name: name) { return found }
            throw error
        }
    }

    /// Fetches the objects `wants` reach into `repository` from a member that has them:
    /// its replicas first, then any other live member.
    func fetch(_ wants: [ObjectID], of name: String, into repository: Repository, preferring replicas: [String], from source: String? = nil) async throws {
        let members = membership.snapshot.members
        var candidates = source.map { [$0] } ?? []
        candidates += (replicas + members.keys.sorted()).filter { $0 != self.name }.compactMap { members[$0] }
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted }
        let storage = self.storage
        let haves = try await pool.run { try storage.refs(repository).list().map(\.id) }
        var reasons = [String]()
        for peer in candidates {
            do {
                let pack = try await peers.objects(peer: peer, repository: name, wants: wants, haves: haves)
                let directory = temporaryDirectory
                try await pool.run {
                    try ClusterObjects.importPack(pack, into: repository, storage: storage, temporaryDirectory: directory)
                    let objects = storage.objects(repository)
                    guard try wants.allSatisfy({ try objects.contains($0) }) else { throw ClusterError.peer(url: peer, status: 200, message: "the pack lacks wanted objects") }
                }
                return
            } catch {
                reasons.append("\(peer): \(error)")
            }
        }
        throw ClusterError.objectsUnavailable(repository: name, reasons: reasons.isEmpty ? ["no live replica"] : reasons)
    }

    // MARK: Pushes

    /// What a push needs from the cluster, read before its objects are unpacked.
    struct PushContext: Sendable {
        var state: RepositoryState?
        /// Why the cluster could not be read; the push is then refused with it.
        var failure: String?
    }

    /// Synchronizes before a push (the caller holds the repository's push turn).
    func preparePush(_ repository: String) async -> PushContext {
        guard membership.canWrite else { return PushContext(failure: ClusterError.leaseLost.description) }
        do {
            return PushContext(state: try await synchronize(repository))
        } catch {
            return PushContext(failure: "\(error)")
        }
    }

    /// Replicates the objects `updates` reach to a majority of the repository's replicas,
    /// then commits the updates in one etcd transaction. Throws (refusing the push) when
    /// either fails; objects already sent stay on the replicas, unreferenced.
    func commitPush(_ repository: String, updates: [RefUpdate], context: PushContext) async throws {
        if let failure = context.failure { throw PushRefusal(failure) }
        guard membership.canWrite, let source = membership.advertiseURL else { throw ClusterError.leaseLost }
        let state = context.state ?? RepositoryState()
        let members = membership.snapshot.members
        let placement = state.exists && !state.placement.isEmpty
            ? state.placement : Placement.replicas(for: repository, among: members.keys, count: replication)
        guard !placement.isEmpty else { throw ClusterError.leaseLost }
        let needed = Placement.quorum(of: placement.count)
        let wants = updates.compactMap { $0.new.flatMap { $0.isZero ? nil : $0 } }
        var stored = 0
        if placement.contains(name) {
            // This node counts as a replica only once its copy would survive a crash.
            let storage = self.storage
            try await pool.run { try ClusterObjects.syncDurably(storage) }
            stored = 1
        }
        if !wants.isEmpty, stored < needed {
            let others = placement.filter { $0 != name }
            var reasons = [String]()
            let peers = self.peers
            let (results, continuation) = AsyncStream.makeStream(of: String?.self)
            for replica in others {
                guard let url = members[replica] else {
                    continuation.yield("\(replica): not a live member")
                    continue
                }
                // Unstructured on purpose: the replicas past the majority finish in the background.
                Task {
                    do {
                        try await peers.replicate(peer: url, repository: repository, source: source, wants: wants)
                        continuation.yield(nil)
                    } catch {
                        continuation.yield("\(replica): \(error)")
                    }
                }
            }
            var answered = 0
            for await result in results {
                answered += 1
                if let reason = result { reasons.append(reason) } else { stored += 1 }
                if stored >= needed || answered == others.count { break }
            }
            continuation.finish()
            guard stored >= needed else {
                throw ClusterError.replicationFailed(stored: stored, needed: needed, replicas: placement.count, reasons: reasons)
            }
        }
        var creation: ClusterRefs.Creation?
        if !state.exists {
            let storage = self.storage
            let local = try await pool.run { try storage.repositories.get(name: repository) }
            creation = ClusterRefs.Creation(placement: placement, meta: local.map(RepositoryMeta.init) ?? RepositoryMeta())
        }
        try await refs.commit(repository: repository, updates: updates, creating: creation)
        for replica in placement where replica != name {
            guard let url = members[replica] else { continue }
            Task { [peers] in try? await peers.refsChanged(peer: url, repository: repository) }
        }
    }

    /// `commitPush` for the push's blocking thread, which waits for it.
    ///
    /// The push runs on a `BlockingPool` thread from unpacking to its local ref transaction;
    /// the cluster's step in between is network-bound, so the thread waits for it. Replicas
    /// serve and store objects on their own pools (`pool`), so the wait never needs a
    /// thread it holds.
    func commitPushBlocking(_ repository: String, updates: [RefUpdate], context: PushContext) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<(any Error)??>(nil)
        Task {
            do {
                try await commitPush(repository, updates: updates, context: context)
                outcome.withLockedValue { $0 = .some(nil) }
            } catch {
                outcome.withLockedValue { $0 = .some(error) }
            }
            done.signal()
        }
        done.wait()
        if case let .some(.some(error)) = outcome.withLockedValue({ $0 }) { throw error }
    }

    /// After a push that created the repository: its HEAD into etcd.
    func publishHead(_ repository: String) async {
        let storage = self.storage
        guard let head = try? await pool.run({ try storage.repositories.get(name: repository).flatMap { try storage.refs($0).head() } }) else { return }
        try? await refs.setHeadIfAbsent(repository: repository, target: head)
    }

    struct PushRefusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Anti-entropy

    /// Every interval, synchronizes each repository this node is a replica of: how a node
    /// that was down or cut off catches up without waiting for a request.
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    if self.membership.snapshot.lease != nil { await self.antiEntropyPass() }
                    try await Task.sleep(for: self.antiEntropyInterval)
                }
            }
        } catch is CancellationError {}
        await pool.shutdown()
    }

    func antiEntropyPass() async {
        catchUp.withLockedValue { $0.running = true }
        var behind = 0
        var failure: String?
        do {
            for (repository, state) in try await refs.allStates().sorted(by: { $0.key < $1.key }) {
                guard state.placement.isEmpty || state.placement.contains(name), try await !isCurrent(repository, state) else { continue }
                behind += 1
                try await serializer.run(repository: repository) { _ = try await self.synchronize(repository) }
            }
        } catch {
            failure = "\(error)"
            if catchUpState.lastError == nil { logger.warning("anti-entropy pass failed", metadata: ["error": "\(error)"]) }
        }
        catchUp.withLockedValue { [behind, failure] in
            $0.running = false
            $0.behind = behind
            $0.lastError = failure
            if failure == nil { $0.passes += 1 }
        }
    }
}
