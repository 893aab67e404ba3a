/// An ordered list of writes that a `KeyValueStore` applies atomically: all or none.
///
/// A value type, so it can be built up anywhere and handed across tasks.
public struct WriteBatch: Sendable {
    /// One write in a batch.
    public enum Operation: Sendable {
        case put(ColumnFamily, key: [UInt8], value: [UInt8])
        case delete(ColumnFamily, key: [UInt8])
        /// Deletes every key `k` with `start <= k < end` (bytewise order).
        case deleteRange(ColumnFamily, start: [UInt8], end: [UInt8])
    }

    /// The writes, in the order they apply.
    public private(set) var operations: [Operation] = []
    /// Whether the write returns only once it is on disk (RocksDB: WAL fsynced). The WAL
    /// is one sequential log, so a durable write also makes every earlier write durable:
    /// a push writes its objects fast and its ref update durably, once.
    public var durable = false
    /// Whether the write may skip the write-ahead log (RocksDB: `disableWAL`), so a crash
    /// can lose it: only for data that is dropped on restart anyway (a push's quarantine).
    public var unlogged = false

    public init() {}

    public init(_ operations: [Operation]) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }

    /// Appends the operations of `other`, after this batch's own.
    public mutating func append(contentsOf other: WriteBatch) {
        operations += other.operations
    }

    public mutating func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) {
        operations.append(.put(family, key: key, value: value))
    }

    public mutating func delete(_ key: [UInt8], in family: ColumnFamily) {
        operations.append(.delete(family, key: key))
    }

    /// Deletes the keys in `start..<end` of `family`.
    public mutating func deleteRange(from start: [UInt8], to end: [UInt8], in family: ColumnFamily) {
        operations.append(.deleteRange(family, start: start, end: end))
    }

    /// Deletes every key that starts with `prefix` (a no-op for an empty prefix of all 0xFF).
    public mutating func deletePrefix(_ prefix: [UInt8], in family: ColumnFamily) {
        guard let end = KeyCoding.prefixEnd(prefix) else {
            // A prefix of all 0xFF bytes (or empty) has no finite upper bound; callers pass
            // repository ids (below 2^63), never such a prefix. safe: not reachable from input.
            preconditionFailure("deletePrefix needs a prefix with a byte below 0xFF")
        }
        deleteRange(from: prefix, to: end, in: family)
    }
}
