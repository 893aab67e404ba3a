import Foundation
import GutsTestSupport
import GutsMaintenance
import GutsGit
import GutsStorage
import Testing

@Suite struct CacheStatsTests {
    /// A scripted sequence of reads gives exact counters: every first read misses and
    /// inserts, every repeat hits, and the smallest cache evicts in LRU order.
    @Test func objectCacheCountersMatchAScriptedReadSequence() throws {
        var options = Storage.Options()
        options.objectCacheEntries = 2
        let storage = Storage.inMemory(options: options)
        let repository = try storage.repositories.create(name: "t/cache")
        let objects = storage.objects(repository)
        let ids = try (0..<3).map { try objects.put(.blob, body: Array("blob \($0)".utf8)) }
        let baseline = CacheStatsReport(storage: storage, archives: nil, lfs: nil)
        _ = try objects.get(ids[0])  // miss, insert
        _ = try objects.get(ids[0])  // hit
        _ = try objects.get(ids[1])  // miss, insert
        _ = try objects.get(ids[0])  // hit (0 now most recent)
        _ = try objects.get(ids[2])  // miss, insert, evicts 1
        _ = try objects.get(ids[1])  // miss, insert, evicts 0
        _ = try objects.get(ids[2])  // hit
        let report = CacheStatsReport(storage: storage, archives: nil, lfs: nil).delta(since: baseline)
        let cache = try #require(report.caches.first { $0.name == "objects" })
        #expect(cache.hits == 3)
        #expect(cache.misses == 4)
        #expect(cache.inserts == 4)
        #expect(cache.evictions == 2)
        #expect(cache.entries == 2)
        #expect(abs(cache.hitRatio - 3.0 / 7.0) < 1e-9)
        let prom = try report.render(.prom)
        #expect(prom.contains("guts_cache_hits_total{cache=\"objects\"} 3"))
        #expect(prom.contains("guts_cache_misses_total{cache=\"objects\"} 4"))
        let decoded = try JSONDecoder.snakeCase.decode(CacheStatsReport.self, from: Data(try report.render(.json).utf8))
        #expect(decoded == report)
        #expect(try report.render(.table).contains("objects"))
    }

    @Test func archiveCacheCountsHitsAndSharesConcurrentBuilds() async throws {
        let directory = try Shell.temporaryDirectory("archive-cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = ArchiveCache(directory: directory)
        let key = ArchiveCache.Key(repositoryID: 1, commit: ObjectID(hex: String(repeating: "ab", count: 20))!, format: .zip, prefix: "p")
        let builds = Counter()
        let entries = try await withThrowingTaskGroup(of: ArchiveCache.Entry.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await cache.archive(key) { path in
                        builds.increment()
                        try await Task.sleep(for: .milliseconds(100))
                        FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(builds.value == 1)
        #expect(entries.filter { !$0.hit }.count == 1)
        _ = try await cache.archive(key) { _ in Issue.record("must not rebuild") }
        let statistics = cache.statistics
        #expect(statistics.misses == 1)
        #expect(statistics.hits == 8)
        #expect(statistics.entries == 1)
        #expect(statistics.bytes == 3)
    }

    @Test func pruneRespectsBytesAndAge() async throws {
        let directory = try Shell.temporaryDirectory("archive-prune")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = ArchiveCache(directory: directory)
        var paths: [String] = []
        for index in 0..<5 {
            let key = ArchiveCache.Key(
                repositoryID: 1, commit: ObjectID(hex: String(repeating: "0\(index)", count: 20))!, format: .tarGz, prefix: "p")
            paths.append(try await cache.archive(key) { FileManager.default.createFile(atPath: $0, contents: Data(repeating: UInt8(index), count: 1000)) }.path)
            // Oldest first: file i was last used (10 - i) hours ago.
            let date = Date().addingTimeInterval(-3600 * Double(10 - index))
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: paths[index])
        }
        let byAge = try cache.prune(maxBytes: nil, olderThan: 8.5 * 3600)
        #expect(byAge.removedFiles == 2)
        #expect(!FileManager.default.fileExists(atPath: paths[0]) && !FileManager.default.fileExists(atPath: paths[1]))
        let bySize = try cache.prune(maxBytes: 2500, olderThan: nil)
        #expect(bySize.removedFiles == 1)
        #expect(bySize.remainingBytes <= 2500)
        #expect(bySize.remainingFiles == 2)
        #expect(!FileManager.default.fileExists(atPath: paths[2]))
        #expect(FileManager.default.fileExists(atPath: paths[4]))
        #expect(cache.statistics.bytes == 2000)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
