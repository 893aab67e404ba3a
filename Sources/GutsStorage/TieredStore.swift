import GutsGit
import Synchronization

/// A hot in-memory tier (a `MemoryStore` bounded by bytes, LRU) in front of a cold
/// store (RocksDB) for one column family, normally `objects`.
///
/// - Reads look in the hot tier first; a cold hit is promoted into the hot tier.
/// - Writes go to the cold tier first (write-through, so the cold tier is always
///   complete and authoritative), then into the hot tier.
/// - When the hot tier exceeds its bound, least recently used entries are demoted:
///   deleted from the `MemoryStore`, so their bytes really leave memory.
/// - Scans and all other families go straight to the cold tier.
public final class TieredStore: KeyValueStore {
    /// Exact counters of the tiering.
    public struct Statistics: Sendable, Codable, Equatable {
        public var hotHits: UInt64 = 0
        public var coldHits: UInt64 = 0
        /// Lookups found in neither tier.
        public var misses: UInt64 = 0
        /// Entries copied from cold to hot on a cold read.
        public var promotions: UInt64 = 0
        /// Entries evicted from the hot tier.
        public var demotions: UInt64 = 0
        public var hotBytes: Int = 0
        public var hotEntries: Int = 0
        public var hotCapacityBytes: Int = 0
    }

    private struct State {
        var order: LRUList<[UInt8], Void>
        var statistics: Statistics
    }

    /// The authoritative store.
    public let cold: any KeyValueStore
    /// The hot tier's storage.
    public let hot: MemoryStore
    /// The family that is tiered.
    public let family: ColumnFamily
    private let state: Mutex<State>

    /// Tiers `family` of `cold` behind a hot tier of at most `hotCapacityBytes` (keys plus values).
    public init(cold: any KeyValueStore, hotCapacityBytes: Int, family: ColumnFamily = .objects) {
        self.cold = cold
        self.hot = MemoryStore()
        self.family = family
        var statistics = Statistics()
        statistics.hotCapacityBytes = hotCapacityBytes
        state = Mutex(State(order: LRUList(maxEntries: .max, maxCost: hotCapacityBytes), statistics: statistics))
    }

    public var tierStatistics: Statistics {
        state.withLock { $0.statistics }
    }

    /// Puts `key` in the hot tier and demotes what no longer fits. Caller holds the lock.
    private func admit(_ key: [UInt8], _ value: [UInt8], state: inout State) throws {
        guard let evicted = state.order.insert(key, (), cost: key.count + value.count) else {
            try hot.delete(key, in: family)
            return
        }
        try hot.put(key, value, in: family)
        for entry in evicted {
            try hot.delete(entry.key, in: family)
        }
        state.statistics.demotions += UInt64(evicted.count)
        refreshSizes(&state)
    }

    private func evict(_ key: [UInt8], state: inout State) throws {
        if state.order.remove(key) != nil {
            try hot.delete(key, in: family)
            refreshSizes(&state)
        }
    }

    private func refreshSizes(_ state: inout State) {
        state.statistics.hotBytes = state.order.totalCost
        state.statistics.hotEntries = state.order.count
    }

    /// Checks the hot tier, then the cold one, without promoting anything.
    public func contains(_ key: [UInt8], in family: ColumnFamily) throws -> Bool {
        if family == self.family, state.withLock({ $0.order.contains(key) }) { return true }
        return try cold.contains(key, in: family)
    }

    public func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        guard family == self.family else { return try cold.get(key, in: family) }
        let hotValue: [UInt8]? = try state.withLock { state in
            guard state.order.get(key) != nil, let value = try hot.get(key, in: family) else { return nil }
            state.statistics.hotHits += 1
            return value
        }
        if let hotValue { return hotValue }
        let coldValue = try cold.get(key, in: family)
        try state.withLock { state in
            guard let coldValue else {
                state.statistics.misses += 1
                return
            }
            state.statistics.coldHits += 1
            state.statistics.promotions += 1
            try admit(key, coldValue, state: &state)
        }
        return coldValue
    }

    public func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws {
        try cold.put(key, value, in: family)
        guard family == self.family else { return }
        try state.withLock { try admit(key, value, state: &$0) }
    }

    public func delete(_ key: [UInt8], in family: ColumnFamily) throws {
        try cold.delete(key, in: family)
        guard family == self.family else { return }
        try state.withLock { try evict(key, state: &$0) }
    }

    public func write(_ batch: WriteBatch) throws {
        try cold.write(batch)
        try state.withLock { state in
            for operation in batch.operations {
                switch operation {
                case .put(let family, let key, let value) where family == self.family:
                    try admit(key, value, state: &state)
                case .delete(let family, let key) where family == self.family:
                    try evict(key, state: &state)
                case .deleteRange(let family, let start, let end) where family == self.family:
                    _ = state.order.removeAll { !KeyCoding.lessThan($0, start) && KeyCoding.lessThan($0, end) }
                    var hotBatch = WriteBatch()
                    hotBatch.deleteRange(from: start, to: end, in: family)
                    try hot.write(hotBatch)
                    refreshSizes(&state)
                default:
                    continue
                }
            }
        }
    }

    public func scan(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?) throws
        -> [(key: [UInt8], value: [UInt8])] {
        try cold.scan(prefix: prefix, in: family, startingAfter: startingAfter, limit: limit)
    }

    public func compact(_ family: ColumnFamily?) throws {
        try cold.compact(family)
    }

    public func property(_ name: String, in family: ColumnFamily?) -> String? {
        switch name {
        case "guts.hot-tier-bytes": String(tierStatistics.hotBytes)
        case "guts.hot-tier-entries": String(tierStatistics.hotEntries)
        default: cold.property(name, in: family)
        }
    }

    public func statistics() -> String? {
        cold.statistics()
    }

    public func close() {
        state.withLock { state in
            state.order.removeAll()
            refreshSizes(&state)
        }
        hot.close()
        cold.close()
    }
}
