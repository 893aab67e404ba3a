import Dispatch
import GutsGit
import GutsStorage
import Synchronization

extension StorageBenchmark {
    /// Largest body bytes one cell writes; cells with big objects write fewer of them.
    static let bytesPerCell = 48 << 20

    /// The full storage matrix: for each backend, object size, thread count and batch size,
    /// wall-clock put and get through `ObjectStore` (first read pass misses the object cache,
    /// a second pass hits it) and, when the backend is RocksDB-based, raw C API put and get of
    /// the same bodies with the same threads and batching as the reference.
    ///
    /// `dataDirectory` receives one sub-directory per on-disk backend; the caller removes it.
    public static func runMatrix(dataDirectory: String, configuration: StorageBenchmarkConfiguration) throws
        -> [StorageBenchmarkResult] {
        var results: [StorageBenchmarkResult] = []
        for backend in configuration.backends {
            var options = Storage.Options()
            options.objectCacheEntries = configuration.cachedReads ? 1_000_000 : 0
            options.objectCacheBytes = configuration.cachedReads ? 1 << 30 : 0
            if backend == .tiered { options.hotTierBytes = 256 << 20 }
            let storage = backend == .memory
                ? Storage.inMemory(options: options)
                : try Storage.open(dataDirectory: dataDirectory + "/" + backend.rawValue, options: options)
            defer { storage.close() }
            for size in configuration.objectSizes {
                let count = max(4, min(configuration.count, bytesPerCell / max(1, size)))
                let bodies = (0..<count).map { index in
                    var body = sampleBody(size: size)
                    stamp(&body, index)
                    return body
                }
                for threads in configuration.threads {
                    for batchSize in configuration.batchSizes {
                        results += try cell(
                            storage: storage, backend: backend, bodies: bodies, size: size,
                            threads: max(1, threads), batchSize: max(1, batchSize), cachedReads: configuration.cachedReads)
                    }
                }
            }
        }
        return results
    }

    private static func cell(
        storage: Storage, backend: StorageBenchmarkConfiguration.Backend, bodies: [[UInt8]], size: Int,
        threads: Int, batchSize: Int, cachedReads: Bool
    ) throws -> [StorageBenchmarkResult] {
        let count = bodies.count
        let repositoryName = "bench/matrix-\(size)-\(threads)-\(batchSize)"
        if try storage.repositories.get(name: repositoryName) != nil { try storage.repositories.delete(name: repositoryName) }
        let objects = storage.objects(try storage.repositories.create(name: repositoryName))
        defer { try? storage.repositories.delete(name: repositoryName) }
        let slices = partition(count: count, threads: threads)
        let ids = IDSlots(count: count)
        defer { ids.deallocate() }

        let putSeconds = try parallel(threads) { thread in
            for chunkStart in stride(from: slices[thread].lowerBound, to: slices[thread].upperBound, by: batchSize) {
                let chunk = chunkStart..<min(chunkStart + batchSize, slices[thread].upperBound)
                if batchSize == 1 {
                    ids[chunk.lowerBound] = try objects.put(.blob, body: bodies[chunk.lowerBound])
                } else {
                    let stored = try objects.putBatch(chunk.map { (type: ObjectType.blob, body: bodies[$0]) })
                    for (offset, id) in stored.enumerated() { ids[chunk.lowerBound + offset] = id }
                }
            }
        }
        let getOnce = {
            try parallel(threads) { thread in
                for index in slices[thread] {
                    guard let loaded = try objects.load(ids[index]), loaded.body.count == size else {
                        throw StorageError.corruptValue(key: "benchmark object \(index)", reason: "missing or wrong size")
                    }
                }
            }
        }
        let getSeconds = try getOnce()
        let cachedSeconds = cachedReads ? try getOnce() : nil

        var rawPutSeconds: Double?
        var rawGetSeconds: Double?
        if let rocksDB = storage.rocksDB {
            let prefix = Array("raw/\(size)/\(threads)/\(batchSize)/".utf8)
            @Sendable func key(_ index: Int) -> [UInt8] { prefix + bigEndian(index) }
            rawPutSeconds = try parallel(threads) { thread in
                for chunkStart in stride(from: slices[thread].lowerBound, to: slices[thread].upperBound, by: batchSize) {
                    let chunk = chunkStart..<min(chunkStart + batchSize, slices[thread].upperBound)
                    if batchSize == 1 {
                        try rawPut(rocksDB, key: key(chunk.lowerBound), value: bodies[chunk.lowerBound])
                    } else {
                        var batch = WriteBatch()
                        for index in chunk { batch.put(key(index), bodies[index], in: .objects) }
                        try rocksDB.write(batch)
                    }
                }
            }
            rawGetSeconds = try parallel(threads) { thread in
                for index in slices[thread] {
                    guard try rawGet(rocksDB, key: key(index)) == size else {
                        throw StorageError.corruptValue(key: "raw benchmark key \(index)", reason: "missing or wrong size")
                    }
                }
            }
            var cleanup = WriteBatch()
            cleanup.deletePrefix(prefix, in: .objects)
            try rocksDB.write(cleanup)
        }

        func row(_ path: String, _ operation: String, _ seconds: Double, _ reference: Double?) -> StorageBenchmarkResult {
            StorageBenchmarkResult(
                path: path, operation: operation, objectSize: size, count: count, seconds: seconds,
                overheadRatio: reference.flatMap { $0 > 0 ? seconds / $0 : nil },
                backend: backend.rawValue, threads: threads, batchSize: batchSize)
        }
        var rows = [row("ObjectStore", "put", putSeconds, rawPutSeconds), row("ObjectStore", "get", getSeconds, rawGetSeconds)]
        if let cachedSeconds { rows.append(row("ObjectStore", "get-cached", cachedSeconds, nil)) }
        if let rawPutSeconds, let rawGetSeconds {
            rows.append(row("rocksdb", "put", rawPutSeconds, nil))
            rows.append(row("rocksdb", "get", rawGetSeconds, nil))
        }
        return rows
    }

    /// Splits `0..<count` into `threads` contiguous ranges.
    static func partition(count: Int, threads: Int) -> [Range<Int>] {
        (0..<threads).map { thread in (count * thread / threads)..<(count * (thread + 1) / threads) }
    }

    /// Runs `body(thread)` on `threads` threads and returns the wall-clock seconds; rethrows the first error.
    static func parallel(_ threads: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
        let errors = ErrorSlot()
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            do { try body(thread) } catch { errors.record(error) }
        }
        let elapsed = seconds(ContinuousClock.now - start)
        if let error = errors.first { throw error }
        return elapsed
    }
}

/// Fixed slots that threads fill at distinct indices.
private final class IDSlots: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<ObjectID>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: ObjectID(bytes: [UInt8](repeating: 0, count: ObjectID.byteCount)))
    }

    subscript(index: Int) -> ObjectID {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }

    func deallocate() { buffer.deallocate() }
}

/// The first error any thread reported.
private final class ErrorSlot: Sendable {
    private let storage = Mutex<(any Error)?>(nil)
    var first: (any Error)? { storage.withLock { $0 } }
    func record(_ error: any Error) { storage.withLock { if $0 == nil { $0 = error } } }
}
