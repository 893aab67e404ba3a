import GutsCompression
import GutsGit

/// The git objects of one repository.
///
/// Values (see `StoredObject`) live under `<repository id BE 8><object id>` in the
/// `objects` family. An object is stored whole, or, when a pack brought it as a delta, as
/// that delta against another object of the same repository; `load` rebuilds it. Reads go
/// through the storage-wide `ObjectCache`; bodies that deltas were applied to go into the
/// `DeltaBaseCache`.
public struct ObjectStore: Sendable {
    /// The repository these objects belong to.
    public let repositoryID: UInt64
    /// Whether imports may store deltas (schema 2 and later).
    public let storesDeltas: Bool
    let store: any KeyValueStore
    let cache: ObjectCache
    let bases: DeltaBaseCache
    let prefix: [UInt8]
    /// For a quarantine: the repository whose objects reads fall back to (nil otherwise,
    /// and for the quarantine of a repository a push is about to create).
    let parentID: UInt64?

    /// Deltas between a stored object and a whole one are at most this many, so a read
    /// applies at most this many deltas (git's `pack.depth` default).
    public static let maxDeltaDepth = 50

    init(repositoryID: UInt64, store: any KeyValueStore, cache: ObjectCache, bases: DeltaBaseCache, storesDeltas: Bool, parentID: UInt64? = nil) {
        self.repositoryID = repositoryID
        self.store = store
        self.cache = cache
        self.bases = bases
        self.storesDeltas = storesDeltas
        self.prefix = KeyCoding.bigEndian(repositoryID)
        self.parentID = parentID
    }

    /// The store reads fall back to, for a quarantine.
    var parent: ObjectStore? {
        parentID.map { ObjectStore(repositoryID: $0, store: store, cache: cache, bases: bases, storesDeltas: storesDeltas) }
    }

    func key(_ id: ObjectID) -> [UInt8] {
        var key = prefix
        key.reserveCapacity(prefix.count + ObjectID.byteCount)
        id.appendBytes(to: &key)
        return key
    }

    private static func make(_ type: ObjectType, body: [UInt8]) throws -> StoredObject {
        let id = SHA1.objectID(type: type, body: body)
        return StoredObject(id: id, type: type, size: body.count, compressed: try Zlib.compress(body))
    }

    /// Hashes, compresses and stores one object; returns its id.
    @discardableResult
    public func put(_ type: ObjectType, body: [UInt8]) throws -> ObjectID {
        let object = try Self.make(type, body: body)
        try store.put(key(object.id), object.encoded(), in: .objects)
        return object.id
    }

    /// Stores many objects in one atomic write batch; returns their ids in order.
    @discardableResult
    public func putBatch(_ objects: [(type: ObjectType, body: [UInt8])]) throws -> [ObjectID] {
        var batch = WriteBatch()
        var ids: [ObjectID] = []
        ids.reserveCapacity(objects.count)
        for (type, body) in objects {
            let object = try Self.make(type, body: body)
            batch.put(key(object.id), object.encoded(), in: .objects)
            ids.append(object.id)
        }
        try store.write(batch)
        return ids
    }

    /// Stores an object whose id the caller claims (e.g. from a pack), refusing with
    /// `StorageError.objectIDMismatch` when the content hashes to something else.
    public func put(verified id: ObjectID, type: ObjectType, body: [UInt8]) throws {
        let object = try Self.make(type, body: body)
        guard object.id == id else { throw StorageError.objectIDMismatch(expected: id, actual: object.id) }
        try store.put(key(id), object.encoded(), in: .objects)
    }

    /// Stores already-compressed whole objects in one batch, verifying each one's id by
    /// inflating and hashing it; nothing is written if any id is wrong.
    public func putCompressed(_ objects: [StoredObject]) throws {
        var batch = WriteBatch()
        for object in objects {
            guard object.delta == nil else { throw StorageError.corruptValue(key: "object \(object.id)", reason: "a delta is stored through ObjectImporter") }
            let actual = SHA1.objectID(type: object.type, body: try object.inflate())
            guard actual == object.id else { throw StorageError.objectIDMismatch(expected: object.id, actual: actual) }
            batch.put(key(object.id), object.encoded(), in: .objects)
        }
        try store.write(batch)
    }

    /// The object as stored (whole or as a delta), or nil.
    public func get(_ id: ObjectID) throws -> StoredObject? {
        let cacheKey = ObjectCache.Key(repository: repositoryID, id: id)
        if let cached = cache.get(cacheKey) { return cached }
        guard let value = try store.get(key(id), in: .objects) else { return try parent?.get(id) }
        let object = try StoredObject(id: id, decoding: value)
        cache.insert(cacheKey, object)
        return object
    }

    /// Type and body of an object, or nil; a delta-stored object is rebuilt from its chain.
    public func load(_ id: ObjectID) throws -> (type: ObjectType, body: [UInt8])? {
        guard let object = try get(id) else { return nil }
        guard object.delta != nil else { return (object.type, try object.inflate()) }
        return (object.type, try resolve(object))
    }

    /// The object as a `RawObject`, its id trusted rather than recomputed: every stored id
    /// was verified when the object came in, and re-verifying is `fsck`'s job.
    public func loadRaw(_ id: ObjectID) throws -> RawObject? {
        try load(id).map { RawObject(type: $0.type, body: $0.body, knownID: id) }
    }

    /// Walks down the chain to a whole object or a cached base, then applies the deltas
    /// upwards, caching every body on the way: walks visit versions of one path one after
    /// another, and each is the next one's base.
    private func resolve(_ object: StoredObject) throws -> [UInt8] {
        var chain = [object]
        var body: [UInt8]
        while true {
            let top = chain[chain.count - 1]
            guard let reference = top.delta else {
                body = try top.inflate()
                chain.removeLast()
                break
            }
            if let cached = bases.get(ObjectCacheKey(repository: repositoryID, id: reference.base)) {
                body = cached
                break
            }
            // Recorded depths bound chains to `maxDeltaDepth`; a push racing a repack can
            // record one too low, so only a chain far longer (a cycle) is refused.
            guard chain.count <= 2 * Self.maxDeltaDepth else {
                throw StorageError.corruptValue(key: "object \(object.id)", reason: "delta chain longer than \(2 * Self.maxDeltaDepth)")
            }
            guard let base = try get(reference.base) else {
                throw StorageError.corruptValue(key: "object \(top.id)", reason: "delta base \(reference.base) is missing")
            }
            chain.append(base)
        }
        for link in chain.reversed() {
            do {
                body = try Delta.apply(base: body, delta: try link.inflate())
            } catch let error as DeltaError {
                throw StorageError.corruptValue(key: "object \(link.id)", reason: "\(error)")
            }
            guard body.count == link.size else {
                throw StorageError.corruptValue(key: "object \(link.id)", reason: "delta yields \(body.count) bytes, \(link.size) recorded")
            }
            bases.insert(ObjectCacheKey(repository: repositoryID, id: link.id), body, cost: body.count)
        }
        return body
    }

    /// Writes prepared values in one batch (no verification: `ObjectImporter` has hashed them).
    /// A quarantine's writes skip the WAL: a crash drops quarantines anyway.
    func write(_ objects: [StoredObject]) throws {
        var batch = WriteBatch()
        batch.unlogged = Quarantine.isQuarantine(repositoryID)
        for object in objects { batch.put(key(object.id), object.encoded(), in: .objects) }
        try store.write(batch)
    }

    /// Whether the object is stored; reads no value.
    public func contains(_ id: ObjectID) throws -> Bool {
        if cache.contains(ObjectCacheKey(repository: repositoryID, id: id)) { return true }
        return try store.contains(key(id), in: .objects) || parent?.contains(id) == true
    }

    /// Removes objects (used to roll back a refused push) in one batch.
    public func delete(_ ids: [ObjectID]) throws {
        var batch = WriteBatch()
        for id in ids { batch.delete(key(id), in: .objects) }
        try store.write(batch)
        for id in ids {
            cache.remove(ObjectCache.Key(repository: repositoryID, id: id))
            bases.remove(ObjectCacheKey(repository: repositoryID, id: id))
        }
    }

    /// Object ids in order, strictly after `after`, at most `limit`.
    public func list(after: ObjectID? = nil, limit: Int) throws -> [ObjectID] {
        try store.scan(prefix: prefix, in: .objects, startingAfter: after.map(key), limit: limit).map {
            ObjectID(bytes: $0.key[prefix.count...])
        }
    }

    /// Number of objects; walks the whole repository.
    public func count() throws -> Int {
        var total = 0
        var cursor: ObjectID? = nil
        while true {
            let page = try list(after: cursor, limit: 4096)
            total += page.count
            guard page.count == 4096 else { return total }
            cursor = page.last
        }
    }
}
