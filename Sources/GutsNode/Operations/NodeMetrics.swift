import GutsMaintenance
import GutsStorage
import HTTPTypes
import Prometheus
import Synchronization

/// The node's metrics, in a Prometheus registry this node owns: no process-wide metrics
/// system, so the many nodes a test process starts each count their own.
///
/// What the node sees happen (requests, git and LFS bytes, pushes, timeouts) is counted as it
/// happens. What other components keep (cache counters, RocksDB properties, the blocking
/// pool) is copied in by `render` when `/metrics` is scraped.
public final class NodeMetrics: Sendable {
    /// The families `/metrics` exports besides the caches' (`CacheStatsReport.Families`).
    enum Families {
        static let requests = MetricFamily("guts_http_requests_total", "HTTP requests by route template, method and status.")
        static let duration = MetricFamily("guts_http_request_duration_seconds", "HTTP request duration (to the response head) by route template.")
        static let inFlight = MetricFamily("guts_http_requests_in_flight", "HTTP requests being handled now.")
        static let timeouts = MetricFamily("guts_http_request_timeouts_total",
            "Requests ended by the request timeout, by phase: request-body (408), handler (503), response-body (connection closed).")
        static let gitBytesSent = MetricFamily("guts_git_sent_bytes_total", "Bytes of git protocol responses sent, by service.")
        static let gitBytesReceived = MetricFamily("guts_git_received_bytes_total", "Bytes of git protocol requests received, by service.")
        static let pushes = MetricFamily("guts_git_pushes_total", "Pushes by result (ok, rejected).")
        static let packEntries = MetricFamily("guts_git_pack_entries_total",
            "Entries of packs sent: whole, delta against an entry of the pack (ofs-delta) or against an object the client has (ref-delta), or delta-stored but rebuilt whole.")
        static let lfsBytesReceived = MetricFamily("guts_lfs_received_bytes_total", "Bytes of Git LFS objects uploaded.")
        static let lfsBytesSent = MetricFamily("guts_lfs_sent_bytes_total", "Bytes of Git LFS objects downloaded.")
    }

    /// Upper bounds of the request duration buckets.
    static let durationBuckets: [Duration] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map { .seconds($0) }

    private struct RequestKey: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private struct RequestSeries: Sendable {
        let count: Counter
        let duration: DurationHistogram
    }

    let registry: PrometheusCollectorRegistry
    /// The series of each route, method and status seen, so a request looks up one
    /// dictionary instead of the registry's (which validates names on every call).
    private let requestSeries = Mutex<[RequestKey: RequestSeries]>([:])
    private let inFlight: Gauge
    private let gitSent: [GitService: Counter]
    private let gitReceived: [GitService: Counter]
    private let pushesAccepted: Counter
    private let pushesRejected: Counter
    private let lfsReceived: Counter
    private let lfsSent: Counter
    private let packEntries: (whole: Counter, offsetDelta: Counter, refDelta: Counter, rebuilt: Counter)
    /// Serializes scrapes: each copies values in, then emits.
    private let scrape = Mutex(())

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ family: MetricFamily, _ labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(name: family.name, labels: labels, help: family.help)
        }
        inFlight = registry.makeGauge(name: Families.inFlight.name, help: Families.inFlight.help)
        let services = GitService.allCases
        gitSent = Dictionary(uniqueKeysWithValues: services.map { ($0, counter(Families.gitBytesSent, [("service", $0.rawValue)])) })
        gitReceived = Dictionary(uniqueKeysWithValues: services.map { ($0, counter(Families.gitBytesReceived, [("service", $0.rawValue)])) })
        pushesAccepted = counter(Families.pushes, [("result", "ok")])
        pushesRejected = counter(Families.pushes, [("result", "rejected")])
        lfsReceived = counter(Families.lfsBytesReceived)
        lfsSent = counter(Families.lfsBytesSent)
        func entries(_ encoding: String) -> Counter { counter(Families.packEntries, [("encoding", encoding)]) }
        packEntries = (entries("whole"), entries("ofs-delta"), entries("ref-delta"), entries("rebuilt"))
        for phase in RequestTimeoutError.Phase.allCases { _ = counter(Families.timeouts, [("phase", phase.rawValue)]) }
    }

    func requestStarted() { inFlight.increment() }

    /// Counts a request that ended with `status` after `duration`, under its route template.
    func requestEnded(route: String, method: HTTPRequest.Method, status: Int, duration: Duration) {
        inFlight.decrement()
        let key = RequestKey(route: route, method: method, status: status)
        let series = requestSeries.withLock { series in
            if let existing = series[key] { return existing }
            let created = RequestSeries(
                count: registry.makeCounter(name: Families.requests.name, labels: [
                    ("method", method.rawValue), ("route", route), ("status", String(status)),
                ], help: Families.requests.help),
                duration: registry.makeDurationHistogram(
                    name: Families.duration.name, labels: [("route", route)], buckets: Self.durationBuckets, help: Families.duration.help))
            series[key] = created
            return created
        }
        series.count.increment()
        series.duration.record(duration)
    }

    /// Counts a request ended by the request timeout, by the phase it was in.
    func recordTimeout(phase: RequestTimeoutError.Phase) {
        registry.makeCounter(name: Families.timeouts.name, labels: [("phase", phase.rawValue)], help: Families.timeouts.help).increment()
    }

    func recordGitBytes(service: GitService, sent: Int, received: Int) {
        gitSent[service]?.increment(by: Int64(max(0, sent)))
        gitReceived[service]?.increment(by: Int64(max(0, received)))
    }

    func recordLFSBytes(received: Int, sent: Int) {
        lfsReceived.increment(by: Int64(max(0, received)))
        lfsSent.increment(by: Int64(max(0, sent)))
    }

    func recordPush(succeeded: Bool) {
        (succeeded ? pushesAccepted : pushesRejected).increment()
    }

    /// Counts the entries of a pack sent, by how each went out.
    func recordPackEntries(_ statistics: PackProducer.Statistics) {
        packEntries.whole.increment(by: Int64(statistics.whole))
        packEntries.offsetDelta.increment(by: Int64(statistics.offsetDeltas))
        packEntries.refDelta.increment(by: Int64(statistics.refDeltas))
        packEntries.rebuilt.increment(by: Int64(statistics.rebuilt))
    }

    /// The exposition text, after `collect` has copied in the values other components keep.
    func render(collect: (PrometheusCollectorRegistry) -> Void) -> [UInt8] {
        scrape.withLock { _ in
            collect(registry)
            return registry.emitToBuffer()
        }
    }
}
