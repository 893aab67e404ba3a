import Foundation

/// `push`: latency of pushing about 1 MiB of new content with the stock git client.
struct PushScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        let work = try GitRunner.temporaryDirectory("push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let repository = "bench/push-\(UUID().uuidString.prefix(8).lowercased())"
        try GitRunner.shell("""
            git init -q -b main . && echo start > README && git add -A && git commit -q -m start && \
            git remote add origin '\(node.gitURL(repository))' && git push -q origin main
            """, in: work)
        let rawBytes = max(1, settings.pushBytes * 3 / 4)
        var histogram = LatencyHistogram()
        var seconds: [Double] = []
        for sample in 0...max(1, settings.pushSamples) {
            try GitRunner.shell(
                "head -c \(rawBytes) /dev/urandom | base64 -w 0 > blob-\(sample).txt && git add -A && git commit -q -m 'push \(sample)'",
                in: work)
            let start = ContinuousClock.now
            try GitRunner.shell("git push -q origin main", in: work)
            let elapsed = ContinuousClock.now - start
            guard sample > 0 else { continue }  // warm-up push
            seconds.append(elapsed.seconds)
            histogram.record(UInt64(max(0, elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)))
        }
        progress.report("push: \(seconds.count) pushes done")
        func quantile(_ percentile: Double) -> Double { Double(histogram.value(atPercentile: percentile)) / 1e9 }
        return ScenarioResult(
            name: "push",
            parameters: ["bytes": "\(settings.pushBytes)", "samples": "\(seconds.count)", "client": "git"],
            metrics: [
                Metric("p50", quantile(50), unit: "s", direction: .lowerIsBetter, samples: seconds.count),
                Metric("p95", quantile(95), unit: "s", direction: .lowerIsBetter, samples: seconds.count, target: .pushP95),
                Metric("p99", quantile(99), unit: "s", direction: .lowerIsBetter, samples: seconds.count),
                Metric("max", quantile(100), unit: "s", direction: .informational, samples: seconds.count),
            ],
            notes: ["each push adds one commit with \(settings.pushBytes) bytes of new base64 text; the native-protocol client is not measured yet"])
    }
}
