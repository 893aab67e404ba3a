import GutsCompression
import GutsGit

/// Where a push's objects wait until its refs move, as git's `receive.quarantine` keeps
/// them in a directory of their own.
///
/// A quarantine is an object keyspace of its own: a pseudo-repository id with the top bit
/// set, which the repository counter never issues. Its `objects` write there and read
/// through to the repository's objects, so a thin pack's deltas and a connectivity walk see
/// both. When the push is accepted, `admitAll` (a closed pack) or `admit` (the objects its
/// accepted tips reach) copies them into the repository's keyspace; `discard` then drops
/// the quarantine, and with it everything a refused push brought. The repository therefore only ever holds objects whose whole
/// history it holds too. Quarantines a crash left behind are dropped by `discardAll` when
/// storage opens for a node.
public struct Quarantine: Sendable {
    /// The quarantine's objects, reading through to the repository's.
    public let objects: ObjectStore
    /// `Storage.pruneEpoch` when the quarantine opened: the push's ref transaction passes
    /// it, so a prune that deleted objects meanwhile makes the push retry, not corrupt.
    public let pruneEpoch: UInt64

    /// Ids with these top bits are quarantines: `10` (so their keys sort below `0xC0`).
    static let idTag: UInt64 = 1 << 63
    static let idMask: UInt64 = (1 << 62) - 1

    static func isQuarantine(_ repositoryID: UInt64) -> Bool { repositoryID & ~idMask == idTag }

    /// A new, empty quarantine for a push to `repository` (nil: a repository the push creates).
    public init(storage: Storage, repository: Repository?) {
        pruneEpoch = storage.pruneEpoch.current
        let id = Self.idTag | (UInt64.random(in: 0...UInt64.max) & Self.idMask)
        objects = ObjectStore(
            repositoryID: id, store: storage.store, cache: storage.objectCache, bases: storage.deltaBaseCache,
            storesDeltas: storage.schemaVersion >= Storage.deltaSchemaVersion, parentID: repository?.id)
    }

    /// Copies `ids` (objects of this quarantine) into `repository`'s objects, in write
    /// batches of about `batchBytes`. An object stored as a delta whose base stays behind
    /// (a base only a refused ref needed) is stored whole instead, so every admitted delta
    /// can be rebuilt from admitted or older objects.
    public func admit(_ ids: Set<ObjectID>, into repository: ObjectStore, batchBytes: Int = 8 << 20) throws {
        var batch = WriteBatch()
        var pendingBytes = 0
        for id in ids {
            guard let value = try objects.store.get(objects.key(id), in: .objects) else { continue }
            var admitted = value
            let stored = try StoredObject(id: id, decoding: value)
            if let base = stored.delta?.base, !ids.contains(base), try !repository.contains(base) {
                guard let body = try objects.load(id)?.body else { continue }
                admitted = StoredObject(id: id, type: stored.type, size: body.count, compressed: try Zlib.compress(body)).encoded()
            }
            batch.put(repository.key(id), admitted, in: .objects)
            pendingBytes += admitted.count
            if pendingBytes >= batchBytes {
                try repository.store.write(batch)
                batch = WriteBatch()
                pendingBytes = 0
            }
        }
        try repository.store.write(batch)
    }

    /// Copies every object of this quarantine into `repository`'s objects, reading the
    /// quarantine in key order. Only for a quarantine whose objects link to nothing that
    /// neither it nor the repository holds, so every delta's base comes along or is there.
    public func admitAll(into repository: ObjectStore, batchBytes: Int = 8 << 20) throws {
        var batch = WriteBatch()
        var pendingBytes = 0
        var cursor: [UInt8]?
        while true {
            let page = try objects.store.scan(prefix: objects.prefix, in: .objects, startingAfter: cursor, limit: 4096)
            for (key, value) in page {
                batch.put(repository.prefix + key.dropFirst(objects.prefix.count), value, in: .objects)
                pendingBytes += value.count
                if pendingBytes >= batchBytes {
                    try repository.store.write(batch)
                    batch = WriteBatch()
                    pendingBytes = 0
                }
            }
            guard page.count == 4096, let last = page.last else { break }
            cursor = last.key
        }
        try repository.store.write(batch)
    }

    /// Drops every object of the quarantine, from storage and from the caches.
    public func discard() throws {
        var batch = WriteBatch()
        batch.deletePrefix(objects.prefix, in: .objects)
        try objects.store.write(batch)
        objects.cache.removeAll(repository: objects.repositoryID)
        objects.bases.removeAll(repository: objects.repositoryID)
    }

    /// Drops every quarantine in `storage`: those of pushes a crash interrupted.
    public static func discardAll(in storage: Storage) throws {
        var batch = WriteBatch()
        batch.deleteRange(from: KeyCoding.bigEndian(idTag), to: KeyCoding.bigEndian(idTag | (idMask + 1)), in: .objects)
        try storage.store.write(batch)
    }
}
