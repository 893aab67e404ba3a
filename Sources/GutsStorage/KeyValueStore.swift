/// The key-value seam under Guts storage: RocksDB on disk, memory for tests and
/// the hot tier, and `TieredStore` composing the two.
///
/// Keys and values are raw bytes ordered bytewise (like `memcmp`). Implementations
/// are safe to call from many threads at once; calls block (disk I/O), so keep
/// them off event loops.
public protocol KeyValueStore: Sendable {
    /// The value stored under `key`, or nil.
    func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]?
    /// Whether `key` holds a value, without copying the value out.
    func contains(_ key: [UInt8], in family: ColumnFamily) throws -> Bool
    /// Stores `value` under `key`, replacing any previous value.
    func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws
    /// Removes `key`; removing a missing key is not an error.
    func delete(_ key: [UInt8], in family: ColumnFamily) throws
    /// Applies every operation of `batch` atomically, in order.
    func write(_ batch: WriteBatch) throws
    /// Key-value pairs whose key starts with `prefix`, in key order, beginning
    /// strictly after `startingAfter` when given, at most `limit` of them.
    func scan(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?) throws
        -> [(key: [UInt8], value: [UInt8])]
    /// Compacts one family, or all when nil.
    func compact(_ family: ColumnFamily?) throws
    /// A backend property (RocksDB names such as `rocksdb.estimate-live-data-size`), or nil if unknown.
    func property(_ name: String, in family: ColumnFamily?) -> String?
    /// Backend statistics as text, or nil when the backend keeps none.
    func statistics() -> String?
    /// Releases the backend; later calls throw `StorageError.closed`. Idempotent.
    func close()
}

extension KeyValueStore {
    public func contains(_ key: [UInt8], in family: ColumnFamily) throws -> Bool {
        try get(key, in: family) != nil
    }

    /// `scan` with the default cursor and limit.
    public func scan(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]? = nil, limit: Int? = nil) throws
        -> [(key: [UInt8], value: [UInt8])] {
        try scan(prefix: prefix, in: family, startingAfter: startingAfter, limit: limit)
    }
}
