import GutsGit

/// What `fsck`, `repack` and `prune` need beyond the object store's everyday API: values
/// straight from the key-value store (never from a cache, so a check sees the disk), and
/// rewrites that keep the caches honest.
extension ObjectStore {
    /// One stored value as found on disk.
    public struct StoredValue: Sendable {
        public var id: ObjectID
        /// Bytes of the value as stored (header and zlib stream).
        public var bytes: Int
        /// The decoded value, nil when it cannot be decoded.
        public var object: StoredObject?
        /// Why the value cannot be decoded.
        public var problem: String?
    }

    /// Values in id order strictly after `after`, at most `limit` and, on RocksDB, no more
    /// after the one that brings their bytes to `maxBytes`; read from the store itself
    /// (RocksDB verifies the checksum of every block it reads for them) without filling
    /// the block cache.
    public func storedValues(after: ObjectID? = nil, limit: Int, maxBytes: Int = .max) throws -> [StoredValue] {
        let entries = try (store as? RocksDBStore)?.scanWithoutCaching(prefix: prefix, in: .objects, startingAfter: after.map(key), limit: limit, maxBytes: maxBytes)
            ?? store.scan(prefix: prefix, in: .objects, startingAfter: after.map(key), limit: limit)
        return entries.map { entry in
            let id = ObjectID(bytes: entry.key[prefix.count...])
            do {
                return StoredValue(id: id, bytes: entry.value.count, object: try StoredObject(id: id, decoding: entry.value), problem: nil)
            } catch {
                return StoredValue(id: id, bytes: entry.value.count, object: nil, problem: "\(error)")
            }
        }
    }

    /// Calls `body` with every stored value, a page at a time: at most `pageSize` values
    /// and, past the first, `pageBytes` bytes of them, so that a rate-limited job reads in
    /// small steps (a page of 64 large blobs was one 64 MB burst).
    public func forEachStoredValue(pageSize: Int = 64, pageBytes: Int = 1 << 20, _ body: (StoredValue) throws -> Void) throws {
        var cursor: ObjectID?
        while true {
            let page = try storedValues(after: cursor, limit: pageSize, maxBytes: pageBytes)
            for value in page { try body(value) }
            guard let last = page.last else { return }
            cursor = last.id
        }
    }

    /// Type and body of an object read past the object and block caches (a delta's base
    /// still goes through them): for reading a whole tree once, as an archive does,
    /// without pushing everything else out of memory.
    public func loadBypassingCache(_ id: ObjectID) throws -> (type: ObjectType, body: [UInt8])? {
        if cache.contains(ObjectCache.Key(repository: repositoryID, id: id)) { return try load(id) }
        let value = try (store as? RocksDBStore)?.getWithoutCaching(key(id), in: .objects) ?? store.get(key(id), in: .objects)
        guard let value else { return try parent?.loadBypassingCache(id) }
        let stored = try StoredObject(id: id, decoding: value)
        guard let delta = stored.delta else { return (stored.type, try stored.inflate()) }
        guard let base = try load(delta.base) else {
            throw StorageError.corruptValue(key: "object \(id)", reason: "delta base \(delta.base) is missing")
        }
        let body = try Delta.apply(base: base.body, delta: try stored.inflate())
        guard body.count == stored.size else { throw StorageError.corruptValue(key: "object \(id)", reason: "delta yields \(body.count) bytes, \(stored.size) recorded") }
        return (stored.type, body)
    }

    /// Number of objects, reading no value when the store is RocksDB.
    public func countWithoutValues() throws -> Int {
        guard let rocksDB = store as? RocksDBStore else { return try count() }
        return try rocksDB.countKeys(prefix: prefix, in: .objects)
    }

    /// Replaces the stored form of objects (same ids, same content: a whole object
    /// rewritten as a delta, say) in one batch, and drops their cached stored forms.
    public func replace(_ objects: [StoredObject]) throws {
        guard !objects.isEmpty else { return }
        try write(objects)
        for object in objects { cache.remove(ObjectCache.Key(repository: repositoryID, id: object.id)) }
    }
}

extension StoredObject {
    /// Bytes of the value as stored.
    public var storedBytes: Int { encoded().count }
}
