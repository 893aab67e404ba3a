import Foundation
import GutsStorage
import Testing
@testable import GutsBench

/// Every scenario end to end with tiny parameters; checks shape, never timing.
@Suite(.serialized) struct ScenarioTests {
    static var tiny: BenchSettings {
        var settings = BenchSettings()
        settings.duration = 1.0
        settings.warmup = 0.1
        settings.samples = 1
        settings.connections = 8
        settings.writeConnections = 2
        settings.rate = 50
        settings.storage = StorageBenchmarkConfiguration(objectSizes: [1024, 4096], count: 8, threads: [1, 2], batchSizes: [1, 4])
        settings.cloneMegabytes = 0.05
        settings.pushSamples = 2
        settings.pushBytes = 16 << 10
        settings.holdConnections = 20
        settings.probeConnections = 2
        settings.repositories = 10
        return settings
    }

    static func checkWellFormed(_ report: BenchmarkReport, expecting scenarios: [BenchScenario]) {
        #expect(report.scenarios.map(\.name) == scenarios.map(\.rawValue))
        #expect(!report.environment.kernel.isEmpty)
        #expect(report.environment.cores > 0)
        for scenario in report.scenarios {
            #expect(!scenario.metrics.isEmpty, "\(scenario.name) has metrics")
            for metric in scenario.metrics {
                // A soak's slopes may fall; every other metric is a size, count, time or rate.
                #expect(metric.value.isFinite && (metric.value >= 0 || metric.name.hasSuffix(".slope")), "\(scenario.name).\(metric.name) = \(metric.value)")
                #expect(!metric.unit.isEmpty)
            }
        }
    }

    /// Both push clients report p50, p95 (with the seed target), p99 and max.
    static func checkPushMetrics(_ report: BenchmarkReport) {
        guard let push = report.scenarios.first(where: { $0.name == "push" }) else {
            Issue.record("no push scenario")
            return
        }
        for prefix in ["", "native."] {
            for name in ["p50", "p95", "p99", "max"] {
                let metric = push.metric(prefix + name)
                #expect(metric != nil, "push.\(prefix)\(name)")
                #expect((metric?.value ?? 0) > 0, "push.\(prefix)\(name) > 0")
                #expect(metric?.samples == 2, "push.\(prefix)\(name) samples")
            }
            #expect(push.metric(prefix + "p95")?.target == .pushP95)
        }
        #expect(ReportFormatter.table(report).contains("native.p95"))
    }

    @Test func everyScenarioAgainstAnEmbeddedNode() async throws {
        let report = try await BenchRunner(settings: Self.tiny, progress: BenchProgress(enabled: false)).run(BenchScenario.standard)
        Self.checkWellFormed(report, expecting: BenchScenario.standard)
        #expect(report.target == "embedded")
        let api = try #require(report.scenarios.first { $0.name == "api" })
        #expect(try #require(api.metric("read.throughput")).value > 0)
        #expect(try #require(api.metric("read.errors")).value == 0)
        #expect(try #require(api.metric("write.errors")).value == 0)
        #expect(api.metric("read.rate.p99") != nil)
        let repos = try #require(report.scenarios.first { $0.name == "repos" })
        #expect(try #require(repos.metric("created")).value == 10)
        #expect(try #require(repos.metric("startup")).value > 0)
        let connections = try #require(report.scenarios.first { $0.name == "connections" })
        #expect(try #require(connections.metric("held")).value == 20)
        let storage = try #require(report.scenarios.first { $0.name == "storage" })
        #expect(storage.metric("rocksdb.raw.put.1KiB.t2.b4.ops") != nil)
        #expect(storage.metric("memory.objects.get-cached.4KiB.t1.b1.ops") != nil)
        #expect(storage.metric("tiered.objects.overhead") == nil)
        Self.checkPushMetrics(report)
        let decoded = try BenchmarkReport.decode(report.jsonData())
        #expect(decoded == report)
    }

    @Test func networkScenariosAgainstAURL() async throws {
        let node = try await BenchNode.embedded()
        let runner = BenchRunner(settings: Self.tiny, url: node.baseURL, token: node.token, progress: BenchProgress(enabled: false))
        let scenarios: [BenchScenario] = [.api, .clone, .push, .connections, .repos]
        let report: BenchmarkReport
        do {
            report = try await runner.run(scenarios)
        } catch {
            await node.shutdown()
            throw error
        }
        await node.shutdown()
        Self.checkWellFormed(report, expecting: scenarios)
        #expect(report.target == node.baseURL)
        let repos = try #require(report.scenarios.first { $0.name == "repos" })
        #expect(repos.metric("startup") == nil, "restart needs an embedded node")
        #expect(try #require(repos.metric("created")).value == 10)
        #expect(try #require(report.scenarios.first { $0.name == "clone" }?.metric("throughput")).value > 0)
        Self.checkPushMetrics(report)
    }

    /// With a real history and git's own server beside the node, clone and push report
    /// both sides and their ratio; the histories the two servers hold are the same.
    @Test(arguments: GitPeer.Kind.allCases) func historyAgainstAPeer(_ kind: GitPeer.Kind) async throws {
        let history = try GitRunner.temporaryDirectory("history")
        defer { try? FileManager.default.removeItem(atPath: history) }
        try GitRunner.shell("""
            git init -q -b main . && for i in 1 2 3 4 5 6; do echo "line $i" >> f.txt && git add -A && git commit -q -m "c$i"; done
            git tag -a v1 -m v1 HEAD~2 && git branch side HEAD~3
            """, in: history)
        var settings = Self.tiny
        settings.samples = 2
        settings.cloneRepository = history
        settings.peer = kind
        let report = try await BenchRunner(settings: settings, progress: BenchProgress(enabled: false)).run([.clone, .push])
        Self.checkWellFormed(report, expecting: [.clone, .push])
        let clone = try #require(report.scenarios.first { $0.name == "clone" })
        for name in ["clone", "fetch"] {
            #expect(try #require(clone.metric("\(name).peer.seconds")).value > 0, "\(kind) \(name)")
            #expect(try #require(clone.metric("\(name).ratio")).value > 0)
            #expect(clone.metric("\(name).seconds")?.samples == 2)
        }
        let push = try #require(report.scenarios.first { $0.name == "push" })
        #expect(try #require(push.metric("firstPush.peer.seconds")).value > 0)
        #expect(try #require(push.metric("firstPush.ratio")).value > 0)
        #expect(push.parameters["peer"] == kind.rawValue)
    }

    /// Clones and git pushes at a constant rate, open loop, against an embedded node.
    @Test func clonesAndPushesAtAConstantRate() async throws {
        var settings = Self.tiny
        settings.duration = 1.5
        settings.cloneRate = 4
        settings.pushRate = 4
        settings.rateConcurrency = 2
        let report = try await BenchRunner(settings: settings, progress: BenchProgress(enabled: false)).run([.clone, .push])
        Self.checkWellFormed(report, expecting: [.clone, .push])
        for scenario in report.scenarios {
            let name = scenario.name
            #expect(try #require(scenario.metric("rate.errors")).value == 0, "\(name): \(scenario.notes)")
            #expect(try #require(scenario.metric("rate.throughput")).value > 0, "\(name)")
            let p99 = try #require(scenario.metric("rate.p99")).value
            let p50 = try #require(scenario.metric("rate.p50")).value
            #expect(p99 > 0 && p99 >= p50, "\(name)")
            #expect(scenario.curves?.contains { $0.name == "rate" && $0.count > 0 } == true, "\(name)")
            #expect(scenario.parameters["rateConcurrency"] == "2")
        }
    }

    /// Every class of a short mix at once against an embedded node: each completes operations
    /// without errors and has its percentiles and curve.
    @Test func mixRunsEveryClassAtOnce() async throws {
        var settings = Self.tiny
        settings.duration = 2
        settings.mixRate = 10
        settings.mix = try MixRatio(parsing: "reads=4,clones=2,fetches=2,pushes=2")
        settings.rateConcurrency = 2
        let report = try await BenchRunner(settings: settings, progress: BenchProgress(enabled: false)).run([.mix])
        Self.checkWellFormed(report, expecting: [.mix])
        let mix = try #require(report.scenarios.first)
        for name in ["reads", "clones", "fetches", "pushes"] {
            #expect(try #require(mix.metric("\(name).errors")).value == 0, "\(name): \(mix.notes)")
            #expect(try #require(mix.metric("\(name).throughput")).value > 0, "\(name)")
            let p50 = try #require(mix.metric("\(name).p50")).value
            let p99 = try #require(mix.metric("\(name).p99")).value
            #expect(p50 > 0 && p99 >= p50, "\(name)")
        }
        #expect(mix.curves?.map(\.name) == ["reads", "clones", "fetches", "pushes"])
        #expect(mix.parameters["mix"] == "reads=4,clones=2,fetches=2,pushes=2")
    }

    /// A short soak: one sample per window, and a slope for each sampled series.
    @Test func shortSoakReportsSlopes() async throws {
        var settings = Self.tiny
        settings.duration = 4
        settings.soakInterval = 1
        settings.mixRate = 8
        settings.mix = try MixRatio(parsing: "reads=6,fetches=1,pushes=1")
        settings.rateConcurrency = 2
        let report = try await BenchRunner(settings: settings, progress: BenchProgress(enabled: false)).run([.soak])
        Self.checkWellFormed(report, expecting: [.soak])
        let soak = try #require(report.scenarios.first)
        let windows = try #require(soak.metric("windows")).value
        #expect(windows == 4)
        #expect(try #require(soak.metric("errors")).value == 0, "\(soak.notes)")
        for series in ["throughput", "p99", "rss", "rocksdb"] {
            #expect(soak.metric("\(series).slope")?.samples == Int(windows), "\(series)")
            #expect(soak.metric("\(series).slope")?.value.isFinite == true)
        }
        #expect(try #require(soak.metric("throughput.mean")).value > 0)
        #expect(try #require(soak.metric("rss.last")).value > 0)
        #expect(try #require(soak.metric("rocksdb.last")).value > 0)
        #expect(soak.metric("drifting") != nil)
    }

    @Test func invalidURLIsATypedError() async {
        await #expect(throws: BenchError.invalidURL("ftp://nowhere")) {
            try await BenchRunner(settings: Self.tiny, url: "ftp://nowhere", progress: BenchProgress(enabled: false)).run([.api])
        }
    }
}
