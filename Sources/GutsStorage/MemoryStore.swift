import Synchronization

/// A sorted in-memory `KeyValueStore`, for tests and as the hot tier of `TieredStore`.
///
/// Point reads and writes are O(1) (a dictionary per family); the sorted key order
/// used by scans is rebuilt lazily after keys are added or removed.
public final class MemoryStore: KeyValueStore {
    struct Family {
        var values: [[UInt8]: [UInt8]] = [:]
        /// Keys in bytewise order; nil after a key was added or removed.
        var sortedKeys: [[UInt8]]? = []
        var bytes = 0

        mutating func put(_ key: [UInt8], _ value: [UInt8]) {
            if let old = values.updateValue(value, forKey: key) {
                bytes += value.count - old.count
            } else {
                bytes += key.count + value.count
                sortedKeys = nil
            }
        }

        mutating func delete(_ key: [UInt8]) {
            if let old = values.removeValue(forKey: key) {
                bytes -= key.count + old.count
                sortedKeys = nil
            }
        }

        mutating func orderedKeys() -> [[UInt8]] {
            if let sortedKeys { return sortedKeys }
            let keys = values.keys.sorted(by: KeyCoding.lessThan)
            sortedKeys = keys
            return keys
        }

        /// Index of the first key `>= key` (or `> key` when `strictly`).
        static func lowerBound(_ keys: [[UInt8]], _ key: [UInt8], strictly: Bool) -> Int {
            var low = 0
            var high = keys.count
            while low < high {
                let middle = (low + high) / 2
                let goRight = strictly ? !KeyCoding.lessThan(key, keys[middle]) : KeyCoding.lessThan(keys[middle], key)
                if goRight { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    struct State {
        var families: [ColumnFamily: Family] = Dictionary(uniqueKeysWithValues: ColumnFamily.allCases.map { ($0, Family()) })
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Bytes of keys plus values held in `family` (or all families).
    public func byteCount(in family: ColumnFamily? = nil) -> Int {
        state.withLock { state in
            if let family { return state.families[family]!.bytes }  // safe: init creates every family
            return state.families.values.reduce(0) { $0 + $1.bytes }
        }
    }

    /// Number of keys in `family`.
    public func count(in family: ColumnFamily) -> Int {
        state.withLock { $0.families[family]!.values.count }  // safe: init creates every family
    }

    public func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        try state.withLock { state in
            guard !state.closed else { throw StorageError.closed }
            return state.families[family]!.values[key]  // safe: init creates every family
        }
    }

    public func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws {
        try state.withLock { state in
            guard !state.closed else { throw StorageError.closed }
            state.families[family]!.put(key, value)  // safe: init creates every family
        }
    }

    public func delete(_ key: [UInt8], in family: ColumnFamily) throws {
        try state.withLock { state in
            guard !state.closed else { throw StorageError.closed }
            state.families[family]!.delete(key)  // safe: init creates every family
        }
    }

    public func write(_ batch: WriteBatch) throws {
        try state.withLock { state in
            guard !state.closed else { throw StorageError.closed }
            for operation in batch.operations {
                switch operation {
                case .put(let family, let key, let value):
                    state.families[family]!.put(key, value)  // safe: init creates every family
                case .delete(let family, let key):
                    state.families[family]!.delete(key)  // safe: init creates every family
                case .deleteRange(let family, let start, let end):
                    let keys = state.families[family]!.orderedKeys()  // safe: init creates every family
                    var index = Family.lowerBound(keys, start, strictly: false)
                    while index < keys.count, KeyCoding.lessThan(keys[index], end) {
                        state.families[family]!.delete(keys[index])  // safe: init creates every family
                        index += 1
                    }
                }
            }
        }
    }

    public func scan(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?) throws
        -> [(key: [UInt8], value: [UInt8])] {
        try state.withLock { state in
            guard !state.closed else { throw StorageError.closed }
            let keys = state.families[family]!.orderedKeys()  // safe: init creates every family
            var index: Int
            if let startingAfter, !KeyCoding.lessThan(startingAfter, prefix) {
                index = Family.lowerBound(keys, startingAfter, strictly: true)
            } else {
                index = Family.lowerBound(keys, prefix, strictly: false)
            }
            var result: [(key: [UInt8], value: [UInt8])] = []
            let values = state.families[family]!.values  // safe: init creates every family
            while index < keys.count, keys[index].starts(with: prefix) {
                if let limit, result.count >= limit { break }
                result.append((keys[index], values[keys[index]]!))  // safe: keys come from the same snapshot of values
                index += 1
            }
            return result
        }
    }

    public func compact(_ family: ColumnFamily?) throws {}

    public func property(_ name: String, in family: ColumnFamily?) -> String? {
        switch name {
        case "guts.bytes", "rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-live-data-size":
            String(byteCount(in: family))
        case "rocksdb.estimate-num-keys":
            String(state.withLock { state in
                if let family { return state.families[family]!.values.count }  // safe: init creates every family
                return state.families.values.reduce(0) { $0 + $1.values.count }
            })
        default:
            nil
        }
    }

    public func statistics() -> String? { nil }

    public func close() {
        state.withLock { state in
            state.closed = true
            state.families = [:]
            for family in ColumnFamily.allCases { state.families[family] = Family() }
        }
    }
}
