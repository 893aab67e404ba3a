import Foundation
import GutsStorage

/// Counters of every cache a node has, rendered as a table, JSON or Prometheus text.
///
/// Caches: `objects` (the stored-object LRU), `delta-bases` (inflated bodies that deltas
/// were applied to), `hot-tier` (in-memory tier in front of
/// RocksDB, when enabled), `block-cache` (RocksDB's shared LRU; hits and misses from its
/// statistics tickers), `archives` (built archives on disk) and `lfs` (Git LFS objects
/// stored: entries and bytes); a running node adds
/// `pack-reuse` (fetches that joined a pack generation already in flight).
public struct CacheStatsReport: Sendable, Codable, Equatable {
    public enum Format: String, Sendable, CaseIterable, Codable {
        case table, json, prom
    }

    public var caches: [CacheStatistics]

    public init(caches: [CacheStatistics]) {
        self.caches = caches
    }

    /// Snapshots the caches of `storage` and `archives`, and what the LFS store holds.
    public init(storage: Storage, archives: ArchiveCache?, lfs: LFSObjectStore?) {
        var caches = [storage.cacheStatistics, storage.deltaBaseCache.statistics]
        if let tier = storage.tierStatistics {
            var hot = CacheStatistics(name: "hot-tier", capacityBytes: tier.hotCapacityBytes)
            hot.hits = tier.hotHits
            hot.misses = tier.coldHits + tier.misses
            hot.inserts = tier.promotions
            hot.evictions = tier.demotions
            hot.bytes = tier.hotBytes
            hot.entries = tier.hotEntries
            caches.append(hot)
        }
        if let rocksDB = storage.rocksDB {
            var block = CacheStatistics(
                name: "block-cache", capacityBytes: storage.property("rocksdb.block-cache-capacity").flatMap(Int.init) ?? 0)
            block.bytes = rocksDB.blockCacheUsage
            let tickers = Self.tickers(rocksDB.statistics() ?? "")
            block.hits = tickers["rocksdb.block.cache.hit"] ?? 0
            block.misses = tickers["rocksdb.block.cache.miss"] ?? 0
            block.inserts = tickers["rocksdb.block.cache.add"] ?? 0
            caches.append(block)
        }
        if let archives { caches.append(archives.statistics) }
        if let lfs {
            // Not a cache: Git LFS objects stored, which is what an operator sizes disks by.
            var objects = CacheStatistics(name: "lfs")
            let totals = lfs.totals()
            objects.entries = totals.objects
            objects.bytes = totals.bytes
            caches.append(objects)
        }
        self.caches = caches
    }

    /// `name COUNT : value` lines of RocksDB's statistics dump.
    static func tickers(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 4, parts[1] == "COUNT", let value = UInt64(parts[3]) { result[String(parts[0])] = value }
        }
        return result
    }

    /// Counters of `self` minus those of `earlier` (gauges such as bytes stay as they are now).
    public func delta(since earlier: CacheStatsReport) -> CacheStatsReport {
        CacheStatsReport(caches: caches.map { current in
            guard let old = earlier.caches.first(where: { $0.name == current.name }) else { return current }
            var delta = current
            delta.hits = current.hits &- old.hits
            delta.misses = current.misses &- old.misses
            delta.inserts = current.inserts &- old.inserts
            delta.evictions = current.evictions &- old.evictions
            return delta
        })
    }

    public func render(_ format: Format) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        case .table:
            var lines = ["cache        entries     bytes        capacity     hits         misses       ratio   evictions"]
            for cache in caches {
                let capacity = cache.capacityBytes > 0 ? String(cache.capacityBytes) : (cache.capacityEntries > 0 ? "\(cache.capacityEntries)e" : "-")
                lines.append([
                    cache.name.padding(12), String(cache.entries).padding(11), String(cache.bytes).padding(12),
                    capacity.padding(12), String(cache.hits).padding(12), String(cache.misses).padding(12),
                    String(format: "%.3f", cache.hitRatio).padding(7), String(cache.evictions),
                ].joined(separator: " "))
            }
            return lines.joined(separator: "\n")
        case .prom:
            var lines: [String] = []
            let metrics: [(String, String, String, (CacheStatistics) -> Double)] = [
                ("guts_cache_entries", "gauge", "Entries held.", { Double($0.entries) }),
                ("guts_cache_bytes", "gauge", "Bytes held.", { Double($0.bytes) }),
                ("guts_cache_capacity_bytes", "gauge", "Capacity in bytes.", { Double($0.capacityBytes) }),
                ("guts_cache_hits_total", "counter", "Lookups answered by the cache.", { Double($0.hits) }),
                ("guts_cache_misses_total", "counter", "Lookups the cache could not answer.", { Double($0.misses) }),
                ("guts_cache_evictions_total", "counter", "Entries evicted.", { Double($0.evictions) }),
                ("guts_cache_hit_ratio", "gauge", "hits / (hits + misses).", { $0.hitRatio }),
            ]
            for (name, type, help, value) in metrics {
                lines.append("# HELP \(name) \(help)")
                lines.append("# TYPE \(name) \(type)")
                for cache in caches { lines.append("\(name){cache=\"\(cache.name)\"} \(Self.number(value(cache)))") }
            }
            return lines.joined(separator: "\n")
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
