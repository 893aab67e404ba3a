import Foundation
import GutsStorage
import Prometheus

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

    /// Which cluster member these caches belong to (each node has its own), and the
    /// members it saw; nil outside a cluster.
    public struct Cluster: Sendable, Codable, Equatable {
        public var node: String
        public var members: [String]

        public init(node: String, members: [String]) {
            self.node = node
            self.members = members
        }
    }

    public var caches: [CacheStatistics]
    public var cluster: Cluster?

    public init(caches: [CacheStatistics], cluster: Cluster? = nil) {
        self.caches = caches
        self.cluster = cluster
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
    public static func tickers(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 4, parts[1] == "COUNT", let value = UInt64(parts[3]) { result[String(parts[0])] = value }
        }
        return result
    }

    /// Counters of `self` minus those of `earlier` (gauges such as bytes stay as they are now).
    public func delta(since earlier: CacheStatsReport) -> CacheStatsReport {
        var report = CacheStatsReport(caches: caches.map { current in
            guard let old = earlier.caches.first(where: { $0.name == current.name }) else { return current }
            var delta = current
            delta.hits = current.hits &- old.hits
            delta.misses = current.misses &- old.misses
            delta.inserts = current.inserts &- old.inserts
            delta.evictions = current.evictions &- old.evictions
            return delta
        })
        report.cluster = cluster
        return report
    }

    public func render(_ format: Format) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        case .table:
            var lines = cluster.map { ["node \($0.node) of cluster members \($0.members.joined(separator: ", "))"] } ?? []
            lines.append("cache        entries     bytes        capacity     hits         misses       ratio   evictions")
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
            let registry = PrometheusCollectorRegistry()
            record(into: registry)
            return registry.emitToString()
        }
    }

    /// The families every cache's counters are exported as, by `cache-stats --format prom`
    /// and the node's `/metrics` alike.
    public enum Families {
        public static let entries = MetricFamily("guts_cache_entries", "Entries a cache holds, by cache.")
        public static let bytes = MetricFamily("guts_cache_bytes", "Bytes a cache holds, by cache.")
        public static let capacity = MetricFamily("guts_cache_capacity_bytes", "Capacity of a cache in bytes, by cache (0: bounded by entries).")
        public static let hits = MetricFamily("guts_cache_hits_total", "Lookups a cache answered, by cache.")
        public static let misses = MetricFamily("guts_cache_misses_total", "Lookups a cache could not answer, by cache.")
        public static let inserts = MetricFamily("guts_cache_inserts_total", "Entries added to a cache, by cache.")
        public static let evictions = MetricFamily("guts_cache_evictions_total", "Entries a cache evicted, by cache.")
    }

    /// Sets the cache families of `registry` to this report's values.
    public func record(into registry: PrometheusCollectorRegistry) {
        for cache in caches {
            let labels = [("cache", cache.name)]
            registry.set(Families.entries, labels, to: Double(cache.entries))
            registry.set(Families.bytes, labels, to: Double(cache.bytes))
            registry.set(Families.capacity, labels, to: Double(cache.capacityBytes))
            registry.set(Families.hits, labels, total: cache.hits)
            registry.set(Families.misses, labels, total: cache.misses)
            registry.set(Families.inserts, labels, total: cache.inserts)
            registry.set(Families.evictions, labels, total: cache.evictions)
        }
    }
}
