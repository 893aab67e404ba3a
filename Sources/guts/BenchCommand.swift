import ArgumentParser
import Foundation
import GutsBench
import GutsStorage

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a Guts node: storage, API, clone, push, connections, repositories, mixed traffic, soak.",
        discussion: """
            With no --url, starts an embedded node on a temporary data dir and removes it afterwards. \
            --save-baseline NAME stores the result; --baseline NAME compares with it and exits 1 naming \
            each metric that got worse by more than --threshold percent. --html FILE writes a self-contained \
            report with the baseline beside the run.

            --fail-on 'METRIC<VALUE[unit]' (repeatable; <, <=, > or >=; METRIC is scenario.metric as the \
            report shows it, e.g. 'api.read.p99<20ms', 'clone.throughput>=50MB/s') exits 3 naming each \
            breached threshold. Exit codes: 0 passed, 1 regression against the baseline, 2 the benchmark \
            could not run or a threshold names no metric, 3 a --fail-on threshold breached (wins over 1).

            mix runs API reads, clones, incremental fetches and pushes at once, open loop, in the --mix \
            ratio at --mix-rate operations per second, with percentiles per class. soak runs the same mix \
            for the whole --duration (e.g. 30m), samples throughput, p99, RSS and RocksDB size every \
            --interval and reports each one's least-squares slope per hour, flagging drift past --drift percent.

            cluster starts 3 etcd members (needs etcd), 3 guts serve --etcd nodes and a standalone node, and \
            reports push-ack p50/p99 of each (--push-samples, --push-bytes), the time until a push is in every \
            node's local refs, push throughput of 3 clients, and the failover after SIGKILL of a node. \
            cluster --url URL,URL... measures running nodes instead (--token: a write token every node accepts): \
            push-ack p50/p99 through the first, the time until the others hold the tip, and throughput with one \
            client per node; no standalone peer and no failover there.
            """
    )

    @Argument(help: "Scenarios: storage, api, clone, push, connections, repos, mix, soak, cluster or all (the first six).")
    var scenarios: [String] = ["all"]
    @Option(help: "A running node, http://host:port (cluster: the nodes of a cluster, comma-separated).") var url: String?
    @Option(help: "Token for --url (default: GUTS_TOKEN).") var token: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Also write a self-contained HTML report (with --baseline beside the run) to FILE.") var html: String?
    @Option(name: .customLong("save-baseline"), help: "Save the result as baseline NAME.") var saveBaseline: String?
    @Option(help: "Compare with baseline NAME; exit 1 on regression.") var baseline: String?
    @Option(name: .customLong("baseline-dir"), help: "Where baselines live.") var baselineDirectory = ".guts-bench"
    @Option(help: "Noise threshold in percent.") var threshold = 10.0
    @Option(name: .customLong("fail-on"), help: "Exit 3 unless METRIC<VALUE[unit] holds (also <=, >, >=); repeatable.")
    var failOn: [String] = []
    @Option(help: "Length of each measured sample (soak: of the whole run), e.g. 10, 10s, 30m.") var duration = DurationArgument(seconds: 10)
    @Option(help: "Seconds of warm-up.") var warmup = 2.0
    @Option(help: "Repeated samples.") var samples = 3
    @Option(help: "API read connections.") var connections = 1000
    @Option(name: .customLong("write-connections"), help: "API write connections.") var writeConnections = 64
    @Option(help: "Also run API reads at this constant request rate (req/s).") var rate: Double?
    @Option(name: .customLong("clone-rate"), help: "Also run clones open loop at this rate (clones/s).") var cloneRate: Double?
    @Option(name: .customLong("push-rate"), help: "Also run git pushes open loop at this rate (pushes/s).") var pushRate: Double?
    @Option(name: .customLong("rate-concurrency"), help: "Most clones or pushes in flight in the open-loop runs.") var rateConcurrency = 8
    @Option(help: "API read endpoint.") var path = "/api/repos?limit=20"
    @Option(name: .customLong("sizes"), help: "Storage object sizes in bytes, comma separated.") var sizes = "1024,10240,102400,1048576"
    @Option(help: "Storage thread counts, comma separated.") var threads = "1,2"
    @Option(help: "Storage batch sizes, comma separated.") var batches = "1,32"
    @Option(help: "Storage backends: rocksdb,memory,tiered.") var backends = "rocksdb,memory,tiered"
    @Option(name: .customLong("objects"), help: "Storage objects per cell.") var objectCount = 200
    @Option(name: .customLong("clone-mb"), help: "Size of the generated clone repository.") var cloneMegabytes = 20.0
    @Option(name: .customLong("repository"), help: "A local repository with real history: clone clones and fetches it, push pushes all of it.") var repository: String?
    @Option(help: "Also run git's own server on the same history and report ratios: git-daemon or http-backend (nginx + fcgiwrap).")
    var peer: GitPeer.Kind?
    @Option(name: .customLong("push-samples"), help: "Pushes measured.") var pushSamples = 20
    @Option(name: .customLong("push-bytes"), help: "New content per push.") var pushBytes = 1 << 20
    @Option(help: "mix and soak: class weights, e.g. reads=90,fetches=5,pushes=3,clones=2.") var mix = MixRatio.standard.description
    @Option(name: .customLong("mix-rate"), help: "mix and soak: operations per second, all classes together.") var mixRate = 20.0
    @Option(help: "soak: time between samples, e.g. 60s.") var interval = DurationArgument(seconds: 60)
    @Option(help: "soak: flag a series whose trend changes by more than this percent over the run.") var drift = 10.0
    @Option(help: "Idle connections the connections scenario holds.") var hold = 10_000
    @Option(help: "Repositories the repos scenario creates.") var repos = 10_000

    func validate() throws {
        do { _ = try MixRatio(parsing: mix) } catch { throw ValidationError("\(error)") }
        for text in failOn {
            do { _ = try Threshold(parsing: text) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let thresholds = try failOn.map(Threshold.init(parsing:))
        var selected: [BenchScenario] = []
        for name in scenarios {
            if name == "all" { selected += BenchScenario.standard; continue }
            guard let scenario = BenchScenario(rawValue: name) else { throw ValidationError("unknown scenario '\(name)'") }
            selected.append(scenario)
        }
        var settings = BenchSettings()
        settings.duration = duration.seconds
        settings.mix = try MixRatio(parsing: mix)
        settings.mixRate = mixRate
        settings.soakInterval = interval.seconds
        settings.driftThreshold = drift / 100
        settings.warmup = warmup
        settings.samples = samples
        settings.connections = connections
        settings.writeConnections = writeConnections
        settings.rate = rate
        settings.readPath = path
        settings.cloneRate = cloneRate
        settings.pushRate = pushRate
        settings.rateConcurrency = rateConcurrency
        settings.storage = StorageBenchmarkConfiguration(
            backends: try list(backends).map {
                guard let backend = StorageBenchmarkConfiguration.Backend(rawValue: $0) else { throw ValidationError("unknown backend '\($0)'") }
                return backend
            },
            objectSizes: try integers(sizes), count: objectCount, threads: try integers(threads), batchSizes: try integers(batches))
        settings.cloneMegabytes = cloneMegabytes
        settings.cloneRepository = repository.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        settings.peer = peer
        settings.pushSamples = pushSamples
        settings.pushBytes = pushBytes
        settings.holdConnections = hold
        settings.repositories = repos

        let runner = BenchRunner(settings: settings, url: url, token: token ?? ProcessInfo.processInfo.environment["GUTS_TOKEN"])
        let report: BenchmarkReport
        do {
            report = try await runner.run(selected)
        } catch {
            FileHandle.standardError.write(Data("guts bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? String(decoding: try report.jsonData(), as: UTF8.self) : ReportFormatter.table(report), terminator: json ? "\n" : "")
        let review = BenchReview(
            baselines: BaselineStore(directory: baselineDirectory), baseline: baseline, saveAs: saveBaseline,
            htmlPath: html, thresholds: thresholds, noise: threshold / 100)
        let exitCode = review.exitCode(for: report) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func integers(_ text: String) throws -> [Int] {
        try list(text).map {
            guard let value = Int($0), value > 0 else { throw ValidationError("not a positive integer: '\($0)'") }
            return value
        }
    }
}

extension GitPeer.Kind: ExpressibleByArgument {}
