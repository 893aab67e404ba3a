import Foundation

/// `api`: JSON API read and write latency and throughput under many keep-alive connections.
struct APIScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        let setup = try await HTTPLoadGenerator.run(LoadPlan(
            host: node.host, port: node.port, connections: 1, duration: 0, totalRequests: 1,
            request: LoadRequest(method: "POST", path: "/api/repos", token: node.token, body: { _, _ in #"{"name":"bench/api-\#(UUID().uuidString.prefix(8))"}"# })))
        var notes: [String] = []
        if setup.completed != 1 { notes.append("could not create a repository for reads (no write token?)") }
        let runID = UUID().uuidString.prefix(8)
        var metrics: [Metric] = []
        var curves: [LatencyCurve] = []
        func add(_ measured: (metrics: [Metric], curve: LatencyCurve)) {
            metrics += measured.metrics
            curves.append(measured.curve)
        }
        progress.report("api: reads, \(settings.connections) connections closed loop")
        add(try await measure(
            prefix: "read", target: .apiReadP99, connections: settings.connections, rate: nil,
            request: LoadRequest(path: settings.readPath, token: node.token)))
        if let rate = settings.rate {
            progress.report("api: reads at \(rate) req/s constant rate")
            add(try await measure(
                prefix: "read.rate", target: .apiReadP99, connections: settings.connections, rate: rate,
                request: LoadRequest(path: settings.readPath, token: node.token)))
        }
        progress.report("api: writes, \(settings.writeConnections) connections")
        add(try await measure(
            prefix: "write", target: .apiWriteP99, connections: settings.writeConnections, rate: nil,
            request: LoadRequest(method: "POST", path: "/api/repos", token: node.token, body: { connection, sequence in
                #"{"name":"bench-writes/\#(runID)-\#(connection)-\#(sequence)-\#(UInt32.random(in: 0...UInt32.max))"}"#
            })))
        return ScenarioResult(
            name: "api",
            parameters: [
                "connections": "\(settings.connections)", "writeConnections": "\(settings.writeConnections)",
                "duration": "\(settings.duration)", "warmup": "\(settings.warmup)", "samples": "\(settings.samples)",
                "readPath": settings.readPath, "rate": settings.rate.map { "\($0)" } ?? "closed-loop",
            ],
            metrics: metrics, notes: notes, curves: curves)
    }

    private func measure(prefix: String, target: SeedTarget, connections: Int, rate: Double?, request: LoadRequest) async throws
        -> (metrics: [Metric], curve: LatencyCurve) {
        var results: [LoadResult] = []
        for sample in 0..<max(1, settings.samples) {
            results.append(try await HTTPLoadGenerator.run(LoadPlan(
                host: node.host, port: node.port, connections: connections, duration: settings.duration,
                warmup: sample == 0 ? settings.warmup : 0, rate: rate, request: request)))
        }
        return (Self.latencyMetrics(prefix: prefix, results: results, target: target), Self.curve(prefix, results))
    }

    /// The percentile curve of all samples of `results` together.
    static func curve(_ name: String, _ results: [LoadResult]) -> LatencyCurve {
        var merged = LatencyHistogram()
        for result in results { merged.merge(result.histogram) }
        return LatencyCurve(name: name, histogram: merged)
    }

    /// Percentiles (ms), throughput and errors of repeated load runs, as medians.
    static func latencyMetrics(prefix: String, results: [LoadResult], target: SeedTarget?) -> [Metric] {
        var metrics: [Metric] = []
        for (label, percentile) in [("p50", 50.0), ("p90", 90), ("p95", 95), ("p99", 99), ("p99.9", 99.9), ("max", 100)] {
            metrics.append(Metric(
                "\(prefix).\(label)", samples: results.map { $0.milliseconds(atPercentile: percentile) }, unit: "ms",
                direction: .lowerIsBetter, target: label == "p99" ? target : nil))
        }
        metrics.append(Metric("\(prefix).throughput", samples: results.map(\.requestsPerSecond), unit: "req/s", direction: .higherIsBetter))
        metrics.append(Metric("\(prefix).errors", samples: results.map { Double($0.errors) }, unit: "count", direction: .informational))
        metrics.append(Metric("\(prefix).connections", samples: results.map { Double($0.connectionsOpened) }, unit: "count", direction: .informational))
        return metrics
    }
}
