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

    public init(
        path: String, operation: String, objectSize: Int, count: Int, seconds: Double, overheadRatio: Double? = nil
    ) {
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
