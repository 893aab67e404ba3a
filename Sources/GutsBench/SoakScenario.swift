/// `soak`: the mix in `duration / soakInterval` back-to-back windows of `soakInterval`; after each
/// window it samples throughput (all classes), p99 (reads, or all classes without reads), this
/// process's RSS (embedded node only) and the node's RocksDB SST bytes, and reports each series'
/// least-squares slope per hour. A series drifts when its line changes by more than
/// `driftThreshold` of its mean over the run in the bad direction (throughput down; p99, RSS up).
struct SoakScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    /// One sampled quantity over the run.
    struct Series {
        var name: String
        var unit: String
        /// +1 when rising is bad, -1 when falling is bad, 0 when neither (RocksDB grows with the pushed data).
        var badDirection: Double
        var points: [(x: Double, y: Double)] = []
    }

    func run() async throws -> ScenarioResult {
        let workload = try MixWorkload.prepare(
            settings: settings, node: node, ratio: settings.mix, rate: settings.mixRate, progress: progress)
        defer { workload.remove() }
        let interval = max(0.1, settings.soakInterval)
        let hours = settings.duration / 3600
        var throughput = Series(name: "throughput", unit: "ops/s", badDirection: -1)
        var p99 = Series(name: "p99", unit: "ms", badDirection: 1)
        var rss = Series(name: "rss", unit: "MB", badDirection: 1)
        var rocksDB = Series(name: "rocksdb", unit: "MB", badDirection: 0)
        var errors = 0
        var firstError: String?
        let clock = ContinuousClock()
        let start = clock.now
        let windowCount = max(2, Int((settings.duration / interval).rounded()))
        for _ in 0..<windowCount {
            let window = try await workload.run(duration: interval, warmup: 0)
            let at = (clock.now - start).seconds / 3600
            let completed = window.values.reduce(0) { $0 + $1.completed }
            let seconds = window.values.map(\.seconds).max() ?? interval
            throughput.points.append((at, seconds > 0 ? Double(completed) / seconds : 0))
            var latency = LatencyHistogram()
            if let reads = window[.reads] { latency = reads.latency } else { for result in window.values { latency.merge(result.latency) } }
            p99.points.append((at, Double(latency.value(atPercentile: 99)) / 1e6))
            if node.isEmbedded { rss.points.append((at, Double(ResourceLimits.residentBytes()) / 1e6)) }
            if let bytes = await workload.rocksDBBytes() { rocksDB.points.append((at, bytes / 1e6)) }
            errors += window.values.reduce(0) { $0 + $1.errors }
            firstError = firstError ?? window.values.compactMap(\.firstError).first
            progress.report("soak: \(ReportFormatter.format(at * 60)) min, \(ReportFormatter.format(throughput.points.last?.y ?? 0)) ops/s, "
                + "p99 \(ReportFormatter.format(p99.points.last?.y ?? 0)) ms")
        }
        var metrics = [
            Metric("windows", Double(throughput.points.count), unit: "count", direction: .informational),
            Metric("errors", Double(errors), unit: "count", direction: .lowerIsBetter),
        ]
        var notes = [
            "windows of \(ReportFormatter.format(interval)) s back to back for \(ReportFormatter.format(settings.duration)) s; "
                + "slopes are least-squares lines per hour; drift: the line changes by more than "
                + "\(ReportFormatter.format(settings.driftThreshold * 100))% of the mean over the run in the bad direction",
            workload.note,
        ]
        if !node.isEmbedded { notes.append("rss: not sampled, the node runs in another process") }
        if let firstError { notes.append("first git error: \(firstError)") }
        var drifting = 0
        for series in [throughput, p99, rss, rocksDB] {
            guard let trend = LinearTrend(series.points) else { continue }
            let change = trend.relativeChange(over: hours)
            metrics.append(Metric("\(series.name).slope", trend.slope, unit: "\(series.unit)/h", direction: .informational,
                                  samples: series.points.count))
            metrics.append(Metric("\(series.name).mean", trend.mean, unit: series.unit, direction: .informational, samples: series.points.count))
            metrics.append(Metric("\(series.name).r2", trend.rSquared, unit: "ratio", direction: .informational, samples: series.points.count))
            metrics.append(Metric("\(series.name).last", series.points.last?.y ?? 0, unit: series.unit, direction: .informational))
            if series.badDirection != 0, change * series.badDirection > settings.driftThreshold {
                drifting += 1
                notes.append("DRIFT \(series.name): \(change > 0 ? "+" : "")\(ReportFormatter.format(change * 100))% over the run "
                    + "(\(ReportFormatter.format(trend.slope)) \(series.unit)/h, r² \(ReportFormatter.format(trend.rSquared)))")
            }
        }
        metrics.append(Metric("drifting", Double(drifting), unit: "count", direction: .lowerIsBetter))
        return ScenarioResult(
            name: "soak",
            parameters: workload.parameters.merging(["duration": "\(settings.duration)", "interval": "\(interval)",
                                                     "drift": "\(settings.driftThreshold)"]) { $1 },
            metrics: metrics, notes: notes)
    }
}
