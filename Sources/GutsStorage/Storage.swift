import Foundation
import Synchronization

/// The storage facade the node uses: one key-value store holding every repository's
/// objects, refs and metadata, plus the object cache and (optionally) the hot tier.
public final class Storage: Sendable {
    /// The schema this build writes; stored as `schema/version` in `metadata`.
    /// Schema 2 adds delta-stored objects (see `StoredObject`); schema 1 stores whole ones only.
    /// Schema 3 adds the commit graph (`CommitGraph`), written as commits enter.
    public static let currentSchemaVersion = 3
    /// The first schema whose objects may be stored as deltas.
    public static let deltaSchemaVersion = 2
    static let schemaKey = Array("schema/version".utf8)

    /// How to open storage.
    public struct Options: Sendable {
        public var rocksDB = RocksDBStore.Options()
        /// Bounds of the decoded-object LRU cache.
        public var objectCacheEntries = 100_000
        public var objectCacheBytes = 256 << 20
        /// Bytes of inflated delta bases kept for reading delta chains (git: `core.deltaBaseCacheLimit`).
        public var deltaBaseCacheBytes = 32 << 20
        /// Bytes of the in-memory hot tier in front of RocksDB's `objects`; 0 disables it.
        public var hotTierBytes = 0
        /// Ref transactions return only once on disk (the WAL fsynced): a push git was told
        /// "ok" survives a power failure. Off only to measure what that costs.
        public var syncRefUpdates = true

        public init() {}
    }

    /// The key-value store underneath (a `TieredStore`, `RocksDBStore` or `MemoryStore`).
    public let store: any KeyValueStore
    /// The RocksDB store when on disk, for properties and statistics.
    public let rocksDB: RocksDBStore?
    /// The hot tier when enabled.
    public let tieredStore: TieredStore?
    public let repositories: RepositoryRegistry
    public let objectCache: ObjectCache
    public let deltaBaseCache: DeltaBaseCache
    /// The data directory, nil in memory.
    public let dataDirectory: String?
    private let refLock = StorageLock()
    private let refListings = RefListingCache()
    /// Bumped whenever `prune` deletes objects (see `PruneEpoch`).
    public let pruneEpoch = PruneEpoch()
    private let syncRefUpdates: Bool
    private let schema: Mutex<Int>

    init(store: any KeyValueStore, rocksDB: RocksDBStore?, tieredStore: TieredStore?, dataDirectory: String?, options: Options) throws {
        self.store = store
        self.rocksDB = rocksDB
        self.tieredStore = tieredStore
        self.dataDirectory = dataDirectory
        self.syncRefUpdates = options.syncRefUpdates
        self.objectCache = ObjectCache(maxEntries: options.objectCacheEntries, maxBytes: options.objectCacheBytes)
        self.deltaBaseCache = DeltaBaseCache(maxEntries: options.objectCacheEntries, maxBytes: options.deltaBaseCacheBytes, name: "delta-bases")
        self.repositories = RepositoryRegistry(store: store, cache: objectCache, bases: deltaBaseCache)
        let version: Int
        if let stored = try store.get(Self.schemaKey, in: .metadata) {
            guard let value = KeyCoding.decodeBigEndian(stored), value <= UInt64(Int.max) else {
                throw StorageError.corruptValue(key: "schema/version", reason: "not an 8-byte number")
            }
            version = Int(value)
            guard version <= Self.currentSchemaVersion else {
                throw StorageError.unsupportedSchemaVersion(found: version, supported: Self.currentSchemaVersion)
            }
        } else {
            version = Self.currentSchemaVersion
            try store.put(Self.schemaKey, KeyCoding.bigEndian(UInt64(version)), in: .metadata)
        }
        schema = Mutex(version)
    }

    /// Opens (or creates) the RocksDB data directory. Throws
    /// `StorageError.dataDirectoryInUse` when another process holds it.
    public static func open(dataDirectory: String, options: Options = Options()) throws -> Storage {
        if options.rocksDB.createIfMissing {
            try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        }
        let rocksDB = try RocksDBStore(path: dataDirectory, options: options.rocksDB)
        let tiered = options.hotTierBytes > 0 ? TieredStore(cold: rocksDB, hotCapacityBytes: options.hotTierBytes) : nil
        do {
            return try Storage(
                store: tiered ?? rocksDB, rocksDB: rocksDB, tieredStore: tiered, dataDirectory: dataDirectory, options: options)
        } catch {
            rocksDB.close()
            throw error
        }
    }

    /// Storage held entirely in memory (tests, throwaway nodes).
    public static func inMemory(options: Options = Options()) -> Storage {
        do {
            return try Storage(store: MemoryStore(), rocksDB: nil, tieredStore: nil, dataDirectory: nil, options: options)
        } catch {
            preconditionFailure("a fresh MemoryStore cannot fail: \(error)")  // safe: a new in-memory store has no schema to refuse
        }
    }

    /// The schema version of the data (`currentSchemaVersion` for new data).
    public var schemaVersion: Int {
        schema.withLock { $0 }
    }

    /// Records a new schema version (used by migrations).
    public func setSchemaVersion(_ version: Int) throws {
        try store.put(Self.schemaKey, KeyCoding.bigEndian(UInt64(version)), in: .metadata)
        schema.withLock { $0 = version }
    }

    /// The objects of `repository`.
    public func objects(_ repository: Repository) -> ObjectStore {
        ObjectStore(repositoryID: repository.id, store: store, cache: objectCache, bases: deltaBaseCache,
                    storesDeltas: schemaVersion >= Self.deltaSchemaVersion)
    }

    /// The commit graph of `repository`.
    public func commitGraph(_ repository: Repository) -> CommitGraph {
        CommitGraph(repositoryID: repository.id, store: store)
    }

    /// `refs(repository).generation` by id alone: it changes with every write of that
    /// repository's refs or HEAD.
    public func refGeneration(of repositoryID: UInt64) -> UInt64 {
        refListings.generation(repositoryID)
    }

    /// The refs of `repository`.
    public func refs(_ repository: Repository) -> RefStore {
        RefStore(repositoryID: repository.id, store: store, lock: refLock, durable: syncRefUpdates, pruneEpoch: pruneEpoch, listings: refListings)
    }

    /// Runs `body` while no ref transaction can run, then advances `pruneEpoch` if
    /// `body` says it deleted objects: ref transactions of pushes that began before are
    /// refused from then on. For `prune`, whose last reachability check and deletion must
    /// see the refs standing still.
    public func deletingObjects<T>(_ body: () throws -> (result: T, deleted: Bool)) throws -> T {
        try refLock.withLock {
            let outcome = try body()
            if outcome.deleted { pruneEpoch.advance() }
            return outcome.result
        }
    }

    /// Counters of the object cache.
    public var cacheStatistics: CacheStatistics {
        objectCache.statistics
    }

    /// Counters of the hot tier, nil when it is disabled.
    public var tierStatistics: TieredStore.Statistics? {
        tieredStore?.tierStatistics
    }

    /// A backend property (see `KeyValueStore.property`).
    public func property(_ name: String, in family: ColumnFamily? = nil) -> String? {
        store.property(name, in: family)
    }

    /// Closes the store; later calls throw `StorageError.closed`.
    public func close() {
        store.close()
    }
}
