import GutsGit
import GutsStorage

/// Storage throughput: the same puts and gets through `ObjectStore` and through the
/// bare `KeyValueStore` on the same database and options, so the object layer's
/// overhead shows as a ratio measured in one run (the machine is noisy; compare
/// ratios, not absolute numbers across runs).
///
/// This is a benchmark function for `guts bench`, not a test.
public enum StorageBenchmark {
    /// Runs put then get of `count` objects of each size; the object cache is off so
    /// gets reach RocksDB. Bodies are distinct, text-like (compressible) bytes.
    public static func run(dataDirectory: String, objectSizes: [Int] = [1024, 1 << 20], count: Int) throws
        -> [StorageBenchmarkResult] {
        var options = Storage.Options()
        options.objectCacheEntries = 0
        let storage = try Storage.open(dataDirectory: dataDirectory, options: options)
        defer { storage.close() }
        guard let rocksDB = storage.rocksDB else { return [] }
        let clock = ContinuousClock()
        var results: [StorageBenchmarkResult] = []

        for size in objectSizes {
            let repositoryName = "bench/objects-\(size)"
            if try storage.repositories.get(name: repositoryName) != nil {
                try storage.repositories.delete(name: repositoryName)
            }
            let objects = storage.objects(try storage.repositories.create(name: repositoryName))
            var body = sampleBody(size: size)

            // ObjectStore put.
            var ids: [ObjectID] = []
            var elapsed = Duration.zero
            for index in 0..<count {
                stamp(&body, index)
                elapsed += try clock.measure { ids.append(try objects.put(.blob, body: body)) }
            }
            let objectPut = seconds(elapsed)

            // ObjectStore get (decode and inflate).
            elapsed = .zero
            for id in ids {
                elapsed += try clock.measure {
                    guard let loaded = try objects.load(id), loaded.body.count == size else {
                        throw StorageError.corruptValue(key: "benchmark object \(id)", reason: "missing or wrong size")
                    }
                }
            }
            let objectGet = seconds(elapsed)

            // Raw RocksDB put and get of the plain body under "raw/<index BE>".
            let rawPrefix = Array("raw/".utf8)
            elapsed = .zero
            for index in 0..<count {
                stamp(&body, index)
                let key = rawPrefix + bigEndian(index)
                elapsed += try clock.measure { try rawPut(rocksDB, key: key, value: body) }
            }
            let rawPutSeconds = seconds(elapsed)
            elapsed = .zero
            for index in 0..<count {
                let key = rawPrefix + bigEndian(index)
                elapsed += try clock.measure {
                    guard try rawGet(rocksDB, key: key) == size else {
                        throw StorageError.corruptValue(key: "raw benchmark key \(index)", reason: "missing or wrong size")
                    }
                }
            }
            let rawGetSeconds = seconds(elapsed)

            results.append(StorageBenchmarkResult(
                path: "ObjectStore", operation: "put", objectSize: size, count: count, seconds: objectPut,
                overheadRatio: rawPutSeconds > 0 ? objectPut / rawPutSeconds : nil))
            results.append(StorageBenchmarkResult(
                path: "ObjectStore", operation: "get", objectSize: size, count: count, seconds: objectGet,
                overheadRatio: rawGetSeconds > 0 ? objectGet / rawGetSeconds : nil))
            results.append(StorageBenchmarkResult(path: "rocksdb", operation: "put", objectSize: size, count: count, seconds: rawPutSeconds))
            results.append(StorageBenchmarkResult(path: "rocksdb", operation: "get", objectSize: size, count: count, seconds: rawGetSeconds))

            var cleanup = WriteBatch()
            cleanup.deletePrefix(rawPrefix, in: .objects)
            try rocksDB.write(cleanup)
            try storage.repositories.delete(name: repositoryName)
        }
        return results
    }

    static func seconds(_ duration: Duration) -> Double {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Text-like bytes: words from a small vocabulary, deterministic.
    static func sampleBody(size: Int) -> [UInt8] {
        let words = ["let ", "func ", "value", " = ", "return ", "(x)", "\n", "    ", "storage", "object", "{ }", "42"]
            .map { Array($0.utf8) }
        var body: [UInt8] = []
        body.reserveCapacity(size + 16)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while body.count < size {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            body.append(contentsOf: words[Int(state >> 33) % words.count])
        }
        body.removeLast(body.count - size)
        return body
    }

    /// `value` as 8 big-endian bytes, so keys sort by index.
    static func bigEndian(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).bigEndian, Array.init)
    }

    /// Makes each body distinct by writing the index into its first bytes.
    static func stamp(_ body: inout [UInt8], _ index: Int) {
        let bytes = bigEndian(index)
        for offset in 0..<min(8, body.count) { body[offset] = bytes[offset] }
    }

    /// The baseline path: one `KeyValueStore` put, the thinnest layer over `rocksdb_put_cf`.
    static func rawPut(_ store: RocksDBStore, key: [UInt8], value: [UInt8]) throws {
        try store.put(key, value, in: .objects)
    }

    /// The baseline path: one `KeyValueStore` get, which copies the value out as a caller would; its length or nil.
    static func rawGet(_ store: RocksDBStore, key: [UInt8]) throws -> Int? {
        try store.get(key, in: .objects)?.count
    }
}
