import Foundation

/// `connections`: how many idle keep-alive connections the node holds, and the latency it
/// gives other clients meanwhile.
struct ConnectionsScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        let limit = ResourceLimits.raiseOpenFileLimit()
        progress.report("connections: opening \(settings.holdConnections) (open-file limit \(limit))")
        let held = await HTTPLoadGenerator.hold(
            host: node.host, port: node.port, count: settings.holdConnections, request: LoadRequest(path: "/health/live"))
        progress.report("connections: \(held.answered) answered; probing")
        var probes: [LoadResult] = []
        for _ in 0..<max(1, settings.samples) {
            probes.append(try await HTTPLoadGenerator.run(LoadPlan(
                host: node.host, port: node.port, connections: settings.probeConnections, duration: min(settings.duration, 5),
                request: LoadRequest(path: settings.readPath, token: node.token))))
        }
        let stillOpen = held.activeCount
        await held.close()
        var metrics = [
            Metric("held", Double(stillOpen), unit: "count", direction: .higherIsBetter, target: .connections),
            Metric("answered", Double(held.answered), unit: "count", direction: .informational),
            Metric("connectFailures", Double(held.connectFailures), unit: "count", direction: .informational),
        ]
        metrics += APIScenario.latencyMetrics(prefix: "probe", results: probes, target: .apiReadP99)
        var notes = ["held = connections still open after the probes; each sent one GET /health/live first"]
        if node.isEmbedded { notes.append("embedded node: client and server share this process, so it needs two descriptors per connection") }
        return ScenarioResult(
            name: "connections",
            parameters: ["hold": "\(settings.holdConnections)", "probeConnections": "\(settings.probeConnections)", "openFileLimit": "\(limit)"],
            metrics: metrics, notes: notes)
    }
}
