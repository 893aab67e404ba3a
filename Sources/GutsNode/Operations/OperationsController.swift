import Foundation
import GutsMaintenance
import GutsStorage
import Hummingbird
import Prometheus

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
            // What JSONEncoder makes of `HealthReport(status: "ok", checks: [:], uptimeSeconds:)`, written
            // directly: the encoder was 8% of a /health/live request's CPU under load (perf).
            var response = JSONResponse.make(encoded: Array(#"{"checks":{},"status":"ok","uptime_seconds":\#(uptime)}"#.utf8))
            response.allowCaching(.forDuration(milliseconds: 1000))  // its uptime is in whole seconds
            return response
        }
        router.get("/health/startup") { _, _ in try await readiness() }
        router.get("/health/ready") { _, _ in try await readiness() }
        router.get("/health") { _, _ in try await readiness() }
        router.get("/version") { _, _ in
            let schema = try await node.blockingPool.run { [storage = node.storage] in storage.schemaVersion }
            return try JSONResponse.make(VersionReport(version: GutsNode.version, storage: node.configuration.storage.rawValue, schemaVersion: schema))
        }
        router.get("/metrics") { _, _ in
            let text = try await node.blockingPool.runAdmitted { [self] in node.metrics.render(collect: collect) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
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

    /// Copies into `registry` what other components count: caches, the blocking pool, the
    /// Git LFS store, RocksDB and the maintenance jobs.
    private func collect(into registry: PrometheusCollectorRegistry) {
        node.cacheReport().record(into: registry)
        let pool = node.blockingPool
        registry.set(Families.poolThreads, to: Double(pool.threads))
        registry.set(Families.poolQueueLimit, to: Double(pool.queueLimit))
        registry.set(Families.poolQueued, to: Double(pool.queued))
        registry.set(Families.poolRunning, to: Double(pool.running))
        registry.set(Families.poolRefused, total: UInt64(max(0, pool.refusedCount)))
        let lfs = node.lfsObjects.totals()
        registry.set(Families.lfsObjects, to: Double(lfs.objects))
        registry.set(Families.lfsStoredBytes, to: Double(lfs.bytes))
        registry.set(Families.startTime, to: node.startedAt.timeIntervalSince1970)
        collectRocksDB(into: registry)
        node.cluster.map(ClusterReport.init)?.record(into: registry)
        for record in JobHistory(dataDirectory: node.configuration.dataDirectory).records() {
            let labels = [("task", record.job)]
            registry.set(Families.jobStarted, labels, to: record.startedAt)
            registry.set(Families.jobDuration, labels, to: record.seconds)
            registry.set(Families.jobSucceeded, labels, to: record.succeeded ? 1 : 0)
        }
    }

    /// RocksDB's size properties per column family, and its write stalls.
    private func collectRocksDB(into registry: PrometheusCollectorRegistry) {
        let storage = node.storage
        guard let rocksDB = storage.rocksDB else { return }
        for family in ColumnFamily.allCases {
            for (property, metric) in Families.rocksDBProperties {
                if let value = storage.property(property, in: family).flatMap(Double.init) {
                    registry.set(metric, [("cf", family.rawValue)], to: value)
                }
            }
        }
        if let stopped = storage.property("rocksdb.is-write-stopped").flatMap(Double.init) {
            registry.set(Families.rocksDBWriteStopped, to: stopped)
        }
        if let rate = storage.property("rocksdb.actual-delayed-write-rate").flatMap(Double.init) {
            registry.set(Families.rocksDBDelayedWriteRate, to: rate)
        }
        if let running = storage.property("rocksdb.num-running-compactions").flatMap(Double.init) {
            registry.set(Families.rocksDBCompactions, to: running)
        }
        if let micros = CacheStatsReport.tickers(rocksDB.statistics() ?? "")["rocksdb.stall.micros"] {
            registry.set(Families.rocksDBStall, total: Double(micros) / 1e6)
        }
    }

    /// The families of the values `collect` copies in.
    enum Families {
        static let poolThreads = MetricFamily("guts_blocking_pool_threads", "Threads of the blocking pool (storage, zlib and SHA-1 work).")
        static let poolQueueLimit = MetricFamily("guts_blocking_pool_queue_limit", "Jobs the blocking pool queues before refusing requests with 503.")
        static let poolQueued = MetricFamily("guts_blocking_pool_queued", "Jobs waiting for a blocking-pool thread.")
        static let poolRunning = MetricFamily("guts_blocking_pool_running", "Jobs on a blocking-pool thread.")
        static let poolRefused = MetricFamily("guts_blocking_pool_refused_total", "Requests refused with 503 because the blocking-pool queue was full.")
        static let lfsObjects = MetricFamily("guts_lfs_objects", "Git LFS objects stored.")
        static let lfsStoredBytes = MetricFamily("guts_lfs_stored_bytes", "Bytes of Git LFS objects stored.")
        static let startTime = MetricFamily("guts_node_start_time_seconds", "When the node started (Unix time).")
        static let jobStarted = MetricFamily("guts_job_last_run_timestamp_seconds", "When each maintenance job (label task) last started (Unix time).")
        static let jobDuration = MetricFamily("guts_job_last_duration_seconds", "How long each maintenance job's last run took.")
        static let jobSucceeded = MetricFamily("guts_job_last_success", "1 when each maintenance job's last run succeeded, 0 when it failed.")
        static let rocksDBWriteStopped = MetricFamily("guts_rocksdb_write_stopped", "1 while RocksDB stops writes (too many memtables, L0 files or pending compaction bytes).")
        static let rocksDBDelayedWriteRate = MetricFamily("guts_rocksdb_delayed_write_rate_bytes", "The rate RocksDB slows writes to while it delays them, in bytes per second; 0 when not delaying.")
        static let rocksDBCompactions = MetricFamily("guts_rocksdb_running_compactions", "Compactions running.")
        static let rocksDBStall = MetricFamily("guts_rocksdb_stall_seconds_total", "Time writes spent stalled by RocksDB.")
        /// RocksDB properties read per column family, with the family each goes to.
        static let rocksDBProperties = [
            ("rocksdb.estimate-live-data-size", MetricFamily("guts_rocksdb_live_data_bytes", "Estimated live data, by column family.")),
            ("rocksdb.cur-size-all-mem-tables", MetricFamily("guts_rocksdb_memtable_bytes", "Bytes in memtables, by column family.")),
            ("rocksdb.estimate-table-readers-mem", MetricFamily("guts_rocksdb_table_readers_bytes", "Memory of table readers (indexes and filters), by column family.")),
            ("rocksdb.total-sst-files-size", MetricFamily("guts_rocksdb_sst_bytes", "Bytes of SST files, by column family.")),
            ("rocksdb.estimate-pending-compaction-bytes", MetricFamily("guts_rocksdb_pending_compaction_bytes", "Bytes compaction still has to rewrite, by column family.")),
                    ]
    }
}
