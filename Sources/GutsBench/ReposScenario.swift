import Foundation

/// `repos`: creates many repositories, then (embedded node) restarts the node and measures the
/// time to ready and resident memory.
struct ReposScenario: Sendable {
    let settings: BenchSettings
    let progress: BenchProgress

    func run(node: BenchNode) async throws -> (result: ScenarioResult, node: BenchNode) {
        let count = max(1, settings.repositories)
        let runID = UUID().uuidString.prefix(8).lowercased()
        progress.report("repos: creating \(count)")
        let created = try await HTTPLoadGenerator.run(LoadPlan(
            host: node.host, port: node.port, connections: min(32, count), duration: 0, totalRequests: count,
            request: LoadRequest(method: "POST", path: "/api/repos", token: node.token, body: { connection, sequence in
                #"{"name":"bench-repos-\#(runID)/r\#(connection)-\#(sequence)"}"#
            })))
        var metrics = [
            Metric("created", Double(created.completed), unit: "count", direction: .informational, target: .repositories),
            Metric("createRate", created.requestsPerSecond, unit: "repos/s", direction: .higherIsBetter),
            Metric("create.p99", created.milliseconds(atPercentile: 99), unit: "ms", direction: .lowerIsBetter, target: .apiWriteP99),
        ]
        var notes: [String] = []
        var current = node
        if node.isEmbedded {
            progress.report("repos: restarting the node")
            var startups: [Double] = []
            for _ in 0..<max(1, settings.samples) {
                let restarted = try await current.restart()
                current = restarted.node
                let ready = try await HTTPLoadGenerator.run(LoadPlan(
                    host: current.host, port: current.port, connections: 1, duration: 0, totalRequests: 1,
                    request: LoadRequest(path: "/health/ready")))
                guard ready.completed == 1 else { throw BenchError.nodeDidNotStart("/health/ready failed after restart") }
                startups.append(restarted.seconds + ready.seconds)
            }
            let residentMB = Double(ResourceLimits.residentBytes()) / 1_000_000
            metrics.append(Metric("startup", samples: startups, unit: "s", direction: .lowerIsBetter, target: .startup))
            metrics.append(Metric(
                "rssAfterRestart", residentMB, unit: "MB", direction: .lowerIsBetter,
                target: created.completed >= 10_000 ? .memoryPer10k : nil))
            if created.completed < 10_000 { notes.append("fewer than 10,000 repositories: the memory target is not judged") }
            notes.append("RSS is of this process, which holds the embedded node and the client")
        } else {
            notes.append("--url: restart time and memory need an embedded node and are not measured")
        }
        return (ScenarioResult(name: "repos", parameters: ["repositories": "\(count)"], metrics: metrics, notes: notes), current)
    }
}
