import GutsGit
import Synchronization

/// An LRU cache of stored objects, bounded by entry count and by bytes, with exact counters.
///
/// Keys carry the repository id so repositories never see each other's entries.
/// Cost of an entry is the size of its compressed bytes. All operations are O(1)
/// except `removeAll(repository:)`.
public final class ObjectCache: Sendable {
    /// A cache key: repository id and object id.
    public struct Key: Hashable, Sendable {
        public var repository: UInt64
        public var id: ObjectID

        public init(repository: UInt64, id: ObjectID) {
            self.repository = repository
            self.id = id
        }
    }

    private struct State {
        var list: LRUList<Key, StoredObject>
        var statistics: CacheStatistics
    }

    private let state: Mutex<State>

    /// A cache holding at most `maxEntries` objects and `maxBytes` compressed bytes.
    public init(maxEntries: Int, maxBytes: Int, name: String = "objects") {
        state = Mutex(State(
            list: LRUList(maxEntries: maxEntries, maxCost: maxBytes),
            statistics: CacheStatistics(name: name, capacityBytes: maxBytes, capacityEntries: maxEntries)))
    }

    /// The cached object, counting a hit or a miss.
    public func get(_ key: Key) -> StoredObject? {
        state.withLock { state in
            if let object = state.list.get(key) {
                state.statistics.hits += 1
                return object
            }
            state.statistics.misses += 1
            return nil
        }
    }

    /// Caches `object` (replacing any entry for `key`), evicting least recently used
    /// entries beyond the bounds. An object larger than the byte bound is not cached.
    public func insert(_ key: Key, _ object: StoredObject) {
        state.withLock { state in
            guard let evicted = state.list.insert(key, object, cost: object.compressed.count) else { return }
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
