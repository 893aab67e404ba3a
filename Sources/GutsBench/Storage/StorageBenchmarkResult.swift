/// One row of `StorageBenchmark.run`: one path, one operation, one object size.
public struct StorageBenchmarkResult: Sendable, Codable, Equatable {
    /// `"ObjectStore"` (hash, zlib, encode, cache off) or `"rocksdb"` (raw C API put/get of the body).
    public var path: String
    /// `"put"` or `"get"`.
    public var operation: String
    public var objectSize: Int
    public var count: Int
    public var seconds: Double
    public var opsPerSecond: Double
    /// Body bytes per second, in 10^6 bytes.
    public var megabytesPerSecond: Double
    /// For ObjectStore rows: its time divided by the raw RocksDB time for the same
    /// operation and size (how much the object layer costs); nil for raw rows.
    public var overheadRatio: Double?
    /// `"rocksdb"`, `"memory"` or `"tiered"` (hot in-memory tier over RocksDB).
    public var backend: String
    /// Threads sharing the `count` operations.
    public var threads: Int
    /// Objects per write batch (1: one write per object).
    public var batchSize: Int

    public init(
        path: String, operation: String, objectSize: Int, count: Int, seconds: Double, overheadRatio: Double? = nil,
        backend: String = "rocksdb", threads: Int = 1, batchSize: Int = 1
    ) {
        self.backend = backend
        self.threads = threads
        self.batchSize = batchSize
        self.path = path
        self.operation = operation
        self.objectSize = objectSize
        self.count = count
        self.seconds = seconds
        self.opsPerSecond = seconds > 0 ? Double(count) / seconds : 0
        self.megabytesPerSecond = seconds > 0 ? Double(count * objectSize) / seconds / 1_000_000 : 0
        self.overheadRatio = overheadRatio
    }
}
