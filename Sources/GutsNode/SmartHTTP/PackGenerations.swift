import Foundation
import GutsStorage
import Synchronization

/// The packs being generated right now, and those generated lately, by what determines
/// their bytes: a request identical to one in flight (a CI fleet cloning the same commit)
/// joins it instead of starting another, and one identical to a finished one is served
/// from the `PackCache` without walking the history again.
final class PackGenerations: Sendable {
    private let directory: String
    private let metrics: NodeMetrics?
    private let pool: BlockingPool
    private let inFlight = Mutex<[PackJob.Key: SharedPackGeneration]>([:])
    private let counters = Mutex((started: 0, joined: 0))
    private let cache: Mutex<PackCache>

    init(directory: String, pool: BlockingPool, metrics: NodeMetrics? = nil, cacheBytes: Int = 0) {
        self.directory = directory
        self.pool = pool
        self.metrics = metrics
        self.cache = Mutex(PackCache(capacityBytes: cacheBytes))
    }

    /// The finished packs kept for reuse, as a cache named `pack-cache`.
    var cacheStatistics: CacheStatistics {
        cache.withLock { cache in
            var statistics = CacheStatistics(name: "pack-cache", capacityBytes: cache.capacityBytes)
            statistics.hits = cache.hits
            statistics.misses = cache.misses
            statistics.inserts = cache.inserts
            statistics.evictions = cache.evictions
            statistics.bytes = cache.totalBytes
            statistics.entries = cache.count
            return statistics
        }
    }

    /// As a cache named `pack-reuse`: a hit is a request that joined a generation already
    /// running, a miss one that had to start its own; entries are the generations in flight.
    var statistics: CacheStatistics {
        var statistics = CacheStatistics(name: "pack-reuse")
        let (started, joined) = counters.withLock { $0 }
        statistics.hits = UInt64(joined)
        statistics.misses = UInt64(started)
        statistics.inserts = UInt64(started)
        statistics.entries = inFlight.withLock { $0.count }
        return statistics
    }

    /// The generation for `job`, started if none is in flight, retained for the caller
    /// (who must `release()` it).
    func join(_ job: PackJob) -> SharedPackGeneration {
        if let cached = cache.withLock({ $0.lookup(job.key) }) { return cached }
        let (generation, isNew) = inFlight.withLock { map -> (SharedPackGeneration, Bool) in
            if let existing = map[job.key] {
                existing.retain()
                return (existing, false)
            }
            let path = directory + "/pack-\(UInt64.random(in: 0...UInt64.max)).spool"
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            let created = SharedPackGeneration(path: path, pool: pool)
            created.retain()
            map[job.key] = created
            return (created, true)
        }
        counters.withLock { isNew ? ($0.started += 1) : ($0.joined += 1) }
        if isNew {
            Task.detached { await self.generate(job, into: generation) }
        }
        return generation
    }

    private func generate(_ job: PackJob, into generation: SharedPackGeneration) async {
        var failure: String?
        var bytes = 0
        do {
            guard let handle = FileHandle(forWritingAtPath: generation.path) else {
                throw PackGenerationError(message: "cannot open the pack spool file")
            }
            defer { try? handle.close() }
            let producer = try await pool.runAdmitted { try job.makeProducer() }
            generation.begin(objectCount: producer.objectCount)
            while let count = try await pool.runAdmitted({ () -> Int? in
                guard let chunk = try producer.nextChunk() else { return nil }
                try handle.write(contentsOf: chunk)
                return chunk.count
            }) {
                generation.appended(count)
                bytes += count
            }
            metrics?.recordPackEntries(producer.statistics)
        } catch {
            failure = "\(error)"
        }
        // Leave the map first: a request arriving from now on starts afresh rather than
        // joining a generation whose file may already be gone.
        // The cache takes it before it leaves the map, so no request in between starts afresh.
        if failure == nil {
            let evicted = cache.withLock { $0.insert(job.key, generation, bytes: bytes) }
            evicted.forEach { $0.release() }
        }
        inFlight.withLock { _ = $0.removeValue(forKey: job.key) }
        generation.finish(failure: failure)
    }
}
