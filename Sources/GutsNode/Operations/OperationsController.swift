import Foundation
import GutsStorage
import Hummingbird

/// `/health*`, `/version` and `/metrics`.
struct OperationsController: Sendable {
    let node: GutsNode

    struct HealthReport: Encodable {
        var status: String
        var checks: [String: String]
        var uptimeSeconds: Int
        /// Whether the blocking pool's queue is full (requests are being refused with 503).
        var saturated: Bool?
        var blockingPool: PoolReport?
        var cluster: ClusterReport?
    }

    struct PoolReport: Encodable {
        var threads: Int
        var running: Int
        var queued: Int
        var queueLimit: Int
        var refused: Int
    }

    struct VersionReport: Encodable {
        var version: String
        var storage: String
        var schemaVersion: Int
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health/live") { _, _ in
            try JSONResponse.make(HealthReport(status: "ok", checks: [:], uptimeSeconds: uptime))
        }
        router.get("/health/startup") { _, _ in try await readiness() }
        router.get("/health/ready") { _, _ in try await readiness() }
        router.get("/health") { _, _ in try await readiness() }
        router.get("/version") { _, _ in
            let schema = try await node.blockingPool.run { [storage = node.storage] in storage.schemaVersion }
            return try JSONResponse.make(VersionReport(version: GutsNode.version, storage: node.configuration.storage.rawValue, schemaVersion: schema))
        }
        router.get("/metrics") { _, _ in
            let text = try await node.blockingPool.runAdmitted { [node] in node.metrics.render(extraGauges: storageGauges(node.storage) + packGauges()
                + responseCacheGauges() + lfsGauges() + JobMetrics.gauges(dataDirectory: node.configuration.dataDirectory)
                + (node.cluster.map { ClusterReport($0).gauges } ?? [])) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    private var uptime: Int { Int(Date().timeIntervalSince(node.startedAt)) }

    /// Ready when storage answers a read and the blocking pool has room; 503 otherwise.
    private func readiness() async throws -> Response {
        let storage = node.storage
        let pool = node.blockingPool
        var checks = ["storage": "ok", "blocking-pool": "ok"]
        if pool.isSaturated {
            checks["blocking-pool"] = "saturated: \(pool.queued) jobs queued (limit \(pool.queueLimit))"
        } else {
            do {
                _ = try await pool.runAdmitted { storage.schemaVersion }
            } catch {
                checks["storage"] = "\(error)"
            }
        }
        let cluster = node.cluster.map(ClusterReport.init)
        if let cluster { checks["cluster"] = cluster.check }
        let healthy = checks.values.allSatisfy { $0 == "ok" }
        let poolReport = PoolReport(threads: pool.threads, running: pool.running, queued: pool.queued, queueLimit: pool.queueLimit, refused: pool.refusedCount)
        let report = HealthReport(status: healthy ? "ok" : "unavailable", checks: checks, uptimeSeconds: uptime,
                                  saturated: pool.isSaturated, blockingPool: poolReport, cluster: cluster)
        return try JSONResponse.make(report, status: healthy ? .ok : .serviceUnavailable)
    }

    /// How many clone packs were generated, and how many requests shared one already running.
    private func packGauges() -> [(name: String, help: String, labels: [String: String], value: Double)] {
        let statistics = node.packGenerations.statistics
        let cache = node.packGenerations.cacheStatistics
        return [
            ("guts_pack_cache_hits", "Fetch requests served from a pack generated before.", [:], Double(cache.hits)),
            ("guts_pack_cache_misses", "Fetch requests whose pack was not cached.", [:], Double(cache.misses)),
            ("guts_pack_cache_evictions", "Packs dropped from the pack cache.", [:], Double(cache.evictions)),
            ("guts_pack_cache_bytes", "Bytes of packs kept in the pack cache.", [:], Double(cache.bytes)),
            ("guts_pack_cache_entries", "Packs kept in the pack cache.", [:], Double(cache.entries)),
            ("guts_pack_generations_started", "Pack generations started.", [:], Double(statistics.misses)),
            ("guts_pack_generations_joined", "Fetch requests that joined a pack generation already in flight.", [:], Double(statistics.hits)),
            ("guts_blocking_pool_queued", "Jobs waiting for a blocking-pool thread.", [:], Double(node.blockingPool.queued)),
            ("guts_blocking_pool_running", "Jobs on a blocking-pool thread.", [:], Double(node.blockingPool.running)),
            ("guts_blocking_pool_refused", "Requests refused with 503 because the blocking-pool queue was full.", [:], Double(node.blockingPool.refusedCount)),
        ]
    }

    /// The API's caches of immutable responses and raw files, labelled by cache.
    private func responseCacheGauges() -> [(name: String, help: String, labels: [String: String], value: Double)] {
        [node.immutableResponses.statistics, node.files.statistics].flatMap { cache in
            [
                ("guts_api_cache_hits", "API cache hits, by cache.", ["cache": cache.name], Double(cache.hits)),
                ("guts_api_cache_misses", "API cache misses, by cache.", ["cache": cache.name], Double(cache.misses)),
                ("guts_api_cache_bytes", "Bytes held by an API cache.", ["cache": cache.name], Double(cache.bytes)),
            ]
        }
    }

    /// Objects and bytes the Git LFS store holds.
    private func lfsGauges() -> [(name: String, help: String, labels: [String: String], value: Double)] {
        let totals = node.lfsObjects.totals()
        return [
            ("guts_lfs_objects", "Git LFS objects stored.", [:], Double(totals.objects)),
            ("guts_lfs_stored_bytes", "Bytes of Git LFS objects stored.", [:], Double(totals.bytes)),
        ]
    }

    /// Cache counters and RocksDB properties as Prometheus gauges.
    private func storageGauges(_ storage: Storage) -> [(name: String, help: String, labels: [String: String], value: Double)] {
        let cache = storage.cacheStatistics
        var gauges: [(name: String, help: String, labels: [String: String], value: Double)] = [
            ("guts_object_cache_hits", "Object cache hits.", [:], Double(cache.hits)),
            ("guts_object_cache_misses", "Object cache misses.", [:], Double(cache.misses)),
            ("guts_object_cache_evictions", "Object cache evictions.", [:], Double(cache.evictions)),
            ("guts_object_cache_bytes", "Bytes held by the object cache.", [:], Double(cache.bytes)),
            ("guts_object_cache_entries", "Entries in the object cache.", [:], Double(cache.entries)),
        ]
        let properties = [
            ("rocksdb.estimate-live-data-size", "guts_rocksdb_live_data_bytes"),
            ("rocksdb.cur-size-all-mem-tables", "guts_rocksdb_memtable_bytes"),
            ("rocksdb.block-cache-usage", "guts_rocksdb_block_cache_bytes"),
            ("rocksdb.estimate-table-readers-mem", "guts_rocksdb_table_readers_bytes"),
            ("rocksdb.total-sst-files-size", "guts_rocksdb_sst_bytes"),
            ("rocksdb.estimate-pending-compaction-bytes", "guts_rocksdb_pending_compaction_bytes"),
        ]
        for family in ColumnFamily.allCases {
            for (property, name) in properties {
                if let value = storage.property(property, in: family).flatMap(Double.init) {
                    gauges.append((name, "RocksDB property \(property).", ["cf": family.rawValue], value))
                }
            }
        }
        return gauges
    }
}
