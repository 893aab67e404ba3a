import Foundation
import GutsNode

/// Runs scenarios against an embedded node or `--url` and gathers a report.
public struct BenchRunner: Sendable {
    public var settings: BenchSettings
    /// A running node to measure; nil starts an embedded one.
    public var url: String?
    public var token: String?
    public var progress: BenchProgress

    public init(settings: BenchSettings, url: String? = nil, token: String? = nil, progress: BenchProgress = BenchProgress()) {
        self.settings = settings
        self.url = url
        self.token = token
        self.progress = progress
    }

    /// Runs `scenarios` in the order storage, api, clone, push, connections, repos, mix, soak, cluster.
    public func run(_ scenarios: [BenchScenario]) async throws -> BenchmarkReport {
        let selected = BenchScenario.allCases.filter(scenarios.contains)
        var node: BenchNode
        // `cluster` takes a comma-separated list of a running cluster's nodes.
        let urls = url.map { $0.split(separator: ",").map(String.init) } ?? []
        if let first = urls.first {
            node = try BenchNode.remote(url: first, token: token)
        } else {
            progress.report("starting an embedded node")
            node = try await BenchNode.embedded()
        }
        var results: [ScenarioResult] = []
        do {
            for scenario in selected {
                progress.report("scenario \(scenario.rawValue)")
                switch scenario {
                case .storage: results.append(try StorageScenario(settings: settings).run())
                case .api: results.append(try await APIScenario(settings: settings, node: node, progress: progress).run())
                case .clone: results.append(try await CloneScenario(settings: settings, node: node, progress: progress).run())
                case .push: results.append(try await PushScenario(settings: settings, node: node, progress: progress).run())
                case .connections: results.append(try await ConnectionsScenario(settings: settings, node: node, progress: progress).run())
                case .mix: results.append(try await MixScenario(settings: settings, node: node, progress: progress).run())
                case .soak: results.append(try await SoakScenario(settings: settings, node: node, progress: progress).run())
                case .cluster:
                    let remote = try urls.map { try BenchNode.remote(url: $0, token: token) }
                    results.append(try await ClusterScenario(settings: settings, progress: progress, remote: remote).run())
                case .repos:
                    let outcome = try await ReposScenario(settings: settings, progress: progress).run(node: node)
                    node = outcome.node
                    results.append(outcome.result)
                }
            }
        } catch {
            await node.shutdown()
            throw error
        }
        await node.shutdown()
        let formatter = ISO8601DateFormatter()
        return BenchmarkReport(
            date: formatter.string(from: Date()), target: url ?? "embedded", environment: .current(), scenarios: results)
    }
}
