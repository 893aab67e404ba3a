/// What `StorageBenchmark.runMatrix` measures: backends, sizes, threads and batching.
public struct StorageBenchmarkConfiguration: Sendable, Codable, Equatable {
    /// A storage backend under test.
    public enum Backend: String, Sendable, Codable, CaseIterable {
        case rocksdb, memory, tiered
    }

    public var backends: [Backend]
    public var objectSizes: [Int]
    /// Objects written and read per (backend, size, threads, batch) cell.
    public var count: Int
    public var threads: [Int]
    public var batchSizes: [Int]
    /// Also time a second read pass with the object cache on.
    public var cachedReads: Bool

    public init(
        backends: [Backend] = Backend.allCases,
        objectSizes: [Int] = [1 << 10, 10 << 10, 100 << 10, 1 << 20],
        count: Int = 200,
        threads: [Int] = [1, 2],
        batchSizes: [Int] = [1, 32],
        cachedReads: Bool = true
    ) {
        self.backends = backends
        self.objectSizes = objectSizes
        self.count = count
        self.threads = threads
        self.batchSizes = batchSizes
        self.cachedReads = cachedReads
    }
}
