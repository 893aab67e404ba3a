import GutsGit

/// When `prune` first found each unreachable object of a repository unreachable: the
/// store keeps no write time per object, so an object's age for `--prune-unreachable`
/// counts from there.
///
/// Entries live in `metadata` under `prune/<repository id BE 8><object id>` with the
/// time (seconds since the epoch, 8 bytes BE) as value.
public struct PruneMarks: Sendable {
    public let repositoryID: UInt64
    let store: any KeyValueStore

    static let prefix = Array("prune/".utf8)

    init(repositoryID: UInt64, store: any KeyValueStore) {
        self.repositoryID = repositoryID
        self.store = store
    }

    var repositoryPrefix: [UInt8] { Self.prefix + KeyCoding.bigEndian(repositoryID) }

    func key(_ id: ObjectID) -> [UInt8] {
        var key = repositoryPrefix
        id.appendBytes(to: &key)
        return key
    }

    /// Every mark of the repository.
    public func all() throws -> [ObjectID: Int64] {
        var marks: [ObjectID: Int64] = [:]
        let prefix = repositoryPrefix
        for entry in try store.scan(prefix: prefix, in: .metadata) where entry.key.count == prefix.count + ObjectID.byteCount {
            guard let seconds = KeyCoding.decodeBigEndian(entry.value) else { continue }
            marks[ObjectID(bytes: entry.key[prefix.count...])] = Int64(truncatingIfNeeded: seconds)
        }
        return marks
    }

    /// Adds `marks` and removes the marks of `cleared`, in one batch.
    public func update(set marks: [ObjectID: Int64], clear cleared: some Sequence<ObjectID>) throws {
        var batch = WriteBatch()
        for (id, seconds) in marks { batch.put(key(id), KeyCoding.bigEndian(UInt64(truncatingIfNeeded: seconds)), in: .metadata) }
        for id in cleared { batch.delete(key(id), in: .metadata) }
        try store.write(batch)
    }
}

extension Storage {
    /// The prune marks of `repository`.
    public func pruneMarks(_ repository: Repository) -> PruneMarks {
        PruneMarks(repositoryID: repository.id, store: store)
    }
}

extension CommitGraph {
    /// Removes the entries of `ids` (commits a prune deleted).
    public func remove(_ ids: some Sequence<ObjectID>) throws {
        var batch = WriteBatch()
        for id in ids { batch.delete(key(id), in: .metadata) }
        try store.write(batch)
    }
}
