import GutsGit

/// The git objects of one repository.
///
/// Values are `[type byte][varint inflated size][zlib(body)]` under
/// `<repository id BE 8><object id>` in the `objects` family. Reads go through the
/// storage-wide `ObjectCache`.
public struct ObjectStore: Sendable {
    /// The repository these objects belong to.
    public let repositoryID: UInt64
    let store: any KeyValueStore
    let cache: ObjectCache
    let prefix: [UInt8]

    init(repositoryID: UInt64, store: any KeyValueStore, cache: ObjectCache) {
        self.repositoryID = repositoryID
        self.store = store
        self.cache = cache
        self.prefix = KeyCoding.bigEndian(repositoryID)
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

    /// Stores already-compressed objects in one batch, verifying each one's id by
    /// inflating and hashing it; nothing is written if any id is wrong.
    public func putCompressed(_ objects: [StoredObject]) throws {
        var batch = WriteBatch()
        for object in objects {
            let actual = SHA1.objectID(type: object.type, body: try object.body())
            guard actual == object.id else { throw StorageError.objectIDMismatch(expected: object.id, actual: actual) }
            batch.put(key(object.id), object.encoded(), in: .objects)
        }
        try store.write(batch)
    }

    /// The stored object, or nil.
    public func get(_ id: ObjectID) throws -> StoredObject? {
        let cacheKey = ObjectCache.Key(repository: repositoryID, id: id)
        if let cached = cache.get(cacheKey) { return cached }
        guard let value = try store.get(key(id), in: .objects) else { return nil }
        let object = try StoredObject(id: id, decoding: value)
        cache.insert(cacheKey, object)
        return object
    }

    /// Type and inflated body of an object, or nil.
    public func load(_ id: ObjectID) throws -> (type: ObjectType, body: [UInt8])? {
        guard let object = try get(id) else { return nil }
        return (object.type, try object.body())
    }

    public func contains(_ id: ObjectID) throws -> Bool {
        try get(id) != nil
    }

    /// Removes objects (used to roll back a refused push) in one batch.
    public func delete(_ ids: [ObjectID]) throws {
        var batch = WriteBatch()
        for id in ids { batch.delete(key(id), in: .objects) }
        try store.write(batch)
        for id in ids { cache.remove(ObjectCache.Key(repository: repositoryID, id: id)) }
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
