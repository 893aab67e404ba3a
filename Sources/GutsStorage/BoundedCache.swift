import GutsGit
import Synchronization

/// The cache of stored values (compressed as stored) in front of the `objects` family.
public typealias ObjectCache = BoundedCache<StoredObject>

/// The cache of inflated bodies of objects that deltas were resolved against, so that
/// reading a chain of deltas (versions of one file or tree) does not rebuild its bases.
public typealias DeltaBaseCache = BoundedCache<[UInt8]>

/// A cache key: repository id and object id.
public struct ObjectCacheKey: Hashable, Sendable {
    public var repository: UInt64
    public var id: ObjectID

    public init(repository: UInt64, id: ObjectID) {
        self.repository = repository
        self.id = id
    }
}

/// A thread-safe LRU cache of per-object values, bounded by entry count and by bytes,
/// with exact counters.
///
/// Keys carry the repository id so repositories never see each other's entries. The
/// caller states each entry's cost in bytes. All operations are O(1) except
/// `removeAll(repository:)`.
public final class BoundedCache<Value: Sendable>: Sendable {
    public typealias Key = ObjectCacheKey

    private struct State {
        var list: LRUList<Key, Value>
        var statistics: CacheStatistics
    }

    private let state: Mutex<State>

    /// A cache holding at most `maxEntries` values costing at most `maxBytes` together.
    public init(maxEntries: Int, maxBytes: Int, name: String = "objects") {
        state = Mutex(State(
            list: LRUList(maxEntries: maxEntries, maxCost: maxBytes),
            statistics: CacheStatistics(name: name, capacityBytes: maxBytes, capacityEntries: maxEntries)))
    }

    /// The cached value, counting a hit or a miss.
    public func get(_ key: Key) -> Value? {
        state.withLock { state in
            if let object = state.list.get(key) {
                state.statistics.hits += 1
                return object
            }
            state.statistics.misses += 1
            return nil
        }
    }

    /// Whether `key` is cached; counts nothing and leaves recency as it is.
    public func contains(_ key: Key) -> Bool {
        state.withLock { $0.list.contains(key) }
    }

    /// Caches `value` (replacing any entry for `key`), evicting least recently used
    /// entries beyond the bounds. A value costing more than the byte bound is not cached.
    public func insert(_ key: Key, _ value: Value, cost: Int) {
        state.withLock { state in
            guard let evicted = state.list.insert(key, value, cost: cost) else { return }
            state.statistics.inserts += 1
            state.statistics.evictions += UInt64(evicted.count)
            state.statistics.bytes = state.list.totalCost
            state.statistics.entries = state.list.count
        }
    }

    /// Drops one entry (not counted as an eviction).
    public func remove(_ key: Key) {
        state.withLock { state in
            state.list.remove(key)
            state.statistics.bytes = state.list.totalCost
            state.statistics.entries = state.list.count
        }
    }

    /// Drops every entry of one repository; O(entries).
    public func removeAll(repository: UInt64) {
        state.withLock { state in
            _ = state.list.removeAll { $0.repository == repository }
            state.statistics.bytes = state.list.totalCost
            state.statistics.entries = state.list.count
        }
    }

    public var statistics: CacheStatistics {
        state.withLock { $0.statistics }
    }
}

extension BoundedCache where Value == StoredObject {
    /// Caches a stored object at the cost of its compressed bytes.
    public func insert(_ key: Key, _ object: StoredObject) {
        insert(key, object, cost: object.compressed.count)
    }
}
