import GutsGit

/// The commit graph of one repository: a `CommitNode` per commit, written when the
/// commit enters, so walks of history read small values instead of inflating commits.
///
/// Entries live in `metadata` under `graph/<repository id BE 8><commit id>`. A commit
/// without an entry (data from before schema 3 that `migrate up` has not reached, say)
/// is read from the commit itself by `node(_:objects:)`.
public struct CommitGraph: Sendable {
    public let repositoryID: UInt64
    let store: any KeyValueStore

    static let prefix = Array("graph/".utf8)

    init(repositoryID: UInt64, store: any KeyValueStore) {
        self.repositoryID = repositoryID
        self.store = store
    }

    static func repositoryPrefix(_ repositoryID: UInt64) -> [UInt8] { prefix + KeyCoding.bigEndian(repositoryID) }

    func key(_ id: ObjectID) -> [UInt8] {
        var key = Self.repositoryPrefix(repositoryID)
        id.appendBytes(to: &key)
        return key
    }

    /// The stored entry for `id`, or nil.
    public func get(_ id: ObjectID) throws -> CommitNode? {
        guard let value = try store.get(key(id), in: .metadata) else { return nil }
        guard let node = CommitNode(decoding: value) else {
            throw StorageError.corruptValue(key: "graph \(id)", reason: "not a commit graph entry")
        }
        return node
    }

    /// The entry for `id`, from the graph or else parsed from the commit in `objects`;
    /// nil when `id` is not a commit there.
    public func node(_ id: ObjectID, objects: ObjectStore) throws -> CommitNode? {
        if let node = try get(id) { return node }
        guard try objects.get(id)?.type == .commit, let object = try objects.load(id) else { return nil }
        return CommitNode(try Commit(parsing: object.body))
    }

    /// Records `commits` (generation numbers are computed here, parents first), in one batch.
    public func add(_ commits: [ObjectID: CommitNode]) throws {
        guard !commits.isEmpty else { return }
        var generations: [ObjectID: Int] = [:]
        func storedGeneration(_ id: ObjectID) throws -> Int {
            if let known = generations[id] { return known }
            let generation = try get(id)?.generation ?? 0
            generations[id] = generation
            return generation
        }
        // Kahn's order over the commits added together: a commit once all its parents
        // among them have a generation.
        var waiting: [ObjectID: Int] = [:]
        var children: [ObjectID: [ObjectID]] = [:]
        var ready: [ObjectID] = []
        for (id, node) in commits {
            let inside = Set(node.parents).filter { commits[$0] != nil && $0 != id }
            waiting[id] = inside.count
            for parent in inside { children[parent, default: []].append(id) }
            if inside.isEmpty { ready.append(id) }
        }
        var batch = WriteBatch()
        while let id = ready.popLast() {
            // safe: ids in `ready` come from `commits`.
            var node = commits[id]!
            var generation = 1
            for parent in node.parents {
                let parentGeneration = try storedGeneration(parent)
                if parentGeneration == 0 { generation = 0; break }
                generation = max(generation, parentGeneration + 1)
            }
            node.generation = generation
            generations[id] = generation
            batch.put(key(id), node.encoded(), in: .metadata)
            for child in children[id] ?? [] {
                // safe: every child was given a count above.
                waiting[child]! -= 1
                if waiting[child] == 0 { ready.append(child) }
            }
        }
        try store.write(batch)
    }

    /// Writes the entry of every commit stored in `objects` that has none (an import, or a
    /// repository from before schema 3); returns how many were written.
    @discardableResult
    public func build(from objects: ObjectStore) throws -> Int {
        var nodes: [ObjectID: CommitNode] = [:]
        var cursor: ObjectID?
        while true {
            let page = try objects.list(after: cursor, limit: 4096)
            for id in page where try objects.get(id)?.type == .commit && get(id) == nil {
                if let object = try objects.load(id) { nodes[id] = CommitNode(try Commit(parsing: object.body)) }
            }
            guard page.count == 4096 else { break }
            cursor = page.last
        }
        try add(nodes)
        return nodes.count
    }

    /// Removes every entry of the repository (it is being deleted).
    static func deleteAll(repositoryID: UInt64, in batch: inout WriteBatch) {
        batch.deletePrefix(repositoryPrefix(repositoryID), in: .metadata)
    }
}
