import GutsGit

/// The refs and HEAD of one repository.
///
/// Refs live under `<repository id BE 8><ref name>` in the `refs` family with the
/// 20-byte object id as value; HEAD lives under `<id>HEAD` with its symbolic target
/// (e.g. `refs/heads/main`) as value. HEAD cannot collide with a ref because every
/// ref name starts with `refs/`.
public struct RefStore: Sendable {
    public let repositoryID: UInt64
    let store: any KeyValueStore
    let lock: StorageLock
    let prefix: [UInt8]
    /// Transactions are written with a synced WAL (see `Storage.Options.syncRefUpdates`).
    let durable: Bool
    let pruneEpoch: PruneEpoch?
    let listings: RefListingCache

    init(repositoryID: UInt64, store: any KeyValueStore, lock: StorageLock, durable: Bool = true, pruneEpoch: PruneEpoch? = nil,
         listings: RefListingCache = RefListingCache()) {
        self.repositoryID = repositoryID
        self.store = store
        self.lock = lock
        self.prefix = KeyCoding.bigEndian(repositoryID)
        self.durable = durable
        self.pruneEpoch = pruneEpoch
        self.listings = listings
    }

    func key(_ name: String) -> [UInt8] { prefix + Array(name.utf8) }

    static func headKey(repositoryID: UInt64) -> [UInt8] { KeyCoding.bigEndian(repositoryID) + Array("HEAD".utf8) }

    private func decode(_ value: [UInt8], name: String) throws -> ObjectID {
        guard value.count == ObjectID.byteCount else {
            throw StorageError.corruptValue(key: "ref \(name)", reason: "\(value.count) bytes, expected 20")
        }
        return ObjectID(bytes: value)
    }

    /// The id `name` points at; `"HEAD"` resolves the symbolic HEAD.
    public func get(_ name: String) throws -> ObjectID? {
        if name == "HEAD" {
            guard let target = try head() else { return nil }
            return try get(target)
        }
        try RefName.validate(name)
        if let listing = listings.listing(repositoryID) { return RefListingCache.find(name, in: listing) }
        return try store.get(key(name), in: .refs).map { try decode($0, name: name) }
    }

    /// Changes with every write of this repository's refs (this process alone writes
    /// them), so what was derived from the refs at one value holds while it stays.
    public var generation: UInt64 { listings.generation(repositoryID) }

    /// Refs whose names start with `prefix`, sorted by name.
    public func list(prefix namePrefix: String = "refs/") throws -> [(name: String, id: ObjectID)] {
        guard namePrefix.hasPrefix("refs/") else { return try scan(prefix: namePrefix) }
        if let listing = listings.listing(repositoryID) {
            return namePrefix == "refs/" ? listing : listing.filter { $0.name.hasPrefix(namePrefix) }
        }
        let generation = listings.generation(repositoryID)
        let all = try scan(prefix: "refs/")
        listings.store(all, for: repositoryID, readAt: generation)
        return namePrefix == "refs/" ? all : all.filter { $0.name.hasPrefix(namePrefix) }
    }

    private func scan(prefix namePrefix: String) throws -> [(name: String, id: ObjectID)] {
        try store.scan(prefix: key(namePrefix), in: .refs).map { entry in
            let name = String(decoding: entry.key[prefix.count...], as: UTF8.self)
            return (name, try decode(entry.value, name: name))
        }
    }

    /// HEAD's symbolic target (e.g. `refs/heads/main`), or nil if unset.
    public func head() throws -> String? {
        try store.get(key("HEAD"), in: .refs).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Points HEAD at `target`, which must be a valid ref name (it need not exist yet).
    public func setHead(_ target: String) throws {
        try RefName.validate(target)
        try store.put(key("HEAD"), Array(target.utf8), in: .refs)
        // What "HEAD" names changed, so what was derived from the refs may have.
        listings.invalidate(repositoryID)
    }

    /// The id HEAD's target points at; nil when HEAD is unborn (its branch does not
    /// exist yet), unset, or unreadable.
    public func resolveHead() -> ObjectID? {
        (try? get("HEAD")) ?? nil
    }

    /// Applies `updates` atomically as compare-and-swap.
    ///
    /// Under the storage-wide ref lock, every ref's current value is compared with its
    /// `expected` value (nil or `.zero`: must be absent); if any differs this throws
    /// `StorageError.refConflict` and writes nothing. Otherwise all changes go in one
    /// write batch, synced to disk before this returns (the WAL is one log, so the
    /// objects written before it are on disk too). Because all writers of refs hold the
    /// same lock, a stale pusher can never overwrite a newer value.
    ///
    /// `objectsCheckedAt` is the `Storage.pruneEpoch` taken before the caller relied on
    /// objects the repository held; when a prune has deleted objects since, this throws
    /// `StorageError.objectsPruned` and writes nothing. `alsoWrite` goes into the same batch:
    /// what must be stored if and only if the refs move (the webhook event of a push).
    public func transaction(_ updates: [RefUpdate], objectsCheckedAt epoch: UInt64? = nil, alsoWrite extra: WriteBatch = WriteBatch()) throws {
        guard !updates.isEmpty else { return }
        var seen = Set<String>()
        for update in updates {
            try RefName.validate(update.name)
            guard seen.insert(update.name).inserted else {
                throw StorageError.invalidRefName(update.name, reason: "updated twice in one transaction")
            }
        }
        try lock.withLock {
            if let epoch, let pruneEpoch, pruneEpoch.current != epoch { throw StorageError.objectsPruned }
            var batch = WriteBatch()
            batch.durable = durable
            for update in updates {
                let actual = try store.get(key(update.name), in: .refs).map { try decode($0, name: update.name) }
                let expected = update.expected.flatMap { $0.isZero ? nil : $0 }
                guard actual == expected else {
                    throw StorageError.refConflict(name: update.name, expected: expected, actual: actual)
                }
                if let new = update.new, !new.isZero {
                    batch.put(key(update.name), new.bytes, in: .refs)
                } else {
                    batch.delete(key(update.name), in: .refs)
                }
            }
            batch.append(contentsOf: extra)
            defer { listings.invalidate(repositoryID) }
            try store.write(batch)
        }
    }
}
