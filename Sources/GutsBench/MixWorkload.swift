import Foundation
import NIOCore
import NIOHTTP1

/// The traffic of `guts bench mix` and `soak`: API reads, stock `git clone`s, incremental
/// `git fetch`es and `git push`es of new commits, all open loop at once, each class at its share
/// of one total rate. Latency of every class counts from each operation's due time.
struct MixWorkload: Sendable {
    /// What one class did in one window.
    struct ClassResult: Sendable {
        /// Nanoseconds from due time to end.
        var latency: LatencyHistogram
        var completed: Int
        var errors: Int
        var seconds: Double
        var firstError: String?

        var perSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }
    }

    let settings: BenchSettings
    let node: BenchNode
    let ratio: MixRatio
    /// Operations per second, all classes together.
    let rate: Double
    private let work: String
    private let repository: String

    private var slots: Int { max(1, settings.rateConcurrency) }

    /// Creates a repository of `cloneMegabytes` on the node and the working clones fetches and
    /// pushes start from.
    static func prepare(settings: BenchSettings, node: BenchNode, ratio: MixRatio, rate: Double, progress: BenchProgress) throws
        -> MixWorkload {
        let work = try GitRunner.temporaryDirectory("mix")
        let repository = "bench/mix-\(UUID().uuidString.prefix(8).lowercased())"
        let workload = MixWorkload(settings: settings, node: node, ratio: ratio, rate: rate, work: work, repository: repository)
        do {
            progress.report("mix: a \(settings.cloneMegabytes) MB repository at \(repository)")
            try GitRunner.generateRepository(at: work + "/source", megabytes: settings.cloneMegabytes)
            try GitRunner.shell("git push -q '\(node.gitURL(repository))' 'refs/heads/*:refs/heads/*'", in: work + "/source")
            for slot in 0..<workload.slots {
                if ratio.rate(of: .fetches, total: 1) > 0 {
                    try GitRunner.shell("git clone -q --bare '\(node.gitURL(repository))' fetch-\(slot).git", in: work)
                }
                if ratio.rate(of: .pushes, total: 1) > 0 {
                    try GitRunner.shell(
                        "git clone -q '\(node.gitURL(repository))' push-\(slot) && git -C push-\(slot) checkout -q -b mix-\(slot)", in: work)
                }
            }
        } catch {
            workload.remove()
            throw error
        }
        return workload
    }

    /// Runs every class for `duration` seconds after `warmup`.
    func run(duration: Double, warmup: Double) async throws -> [MixRatio.Class: ClassResult] {
        func driver(_ mixClass: MixRatio.Class) -> OpenLoopDriver? {
            let classRate = ratio.rate(of: mixClass, total: rate)
            return classRate > 0 ? OpenLoopDriver(rate: classRate, duration: duration, warmup: warmup, concurrency: slots) : nil
        }
        let url = node.gitURL(repository)
        let work = self.work
        let rawBytes = max(1, settings.pushBytes * 3 / 4)
        async let reads = readLoad(duration: duration, warmup: warmup)
        async let clones = driver(.clones)?.run(
            prepare: { slot in try? FileManager.default.removeItem(atPath: work + "/clone-\(slot)") },
            operation: { slot, _ in try GitRunner.shell("git clone -q --no-checkout '\(url)' clone-\(slot)", in: work) })
        async let fetches = driver(.fetches)?.run { slot, _ in
            try GitRunner.shell("git fetch -q origin '+refs/heads/*:refs/heads/*'", in: work + "/fetch-\(slot).git")
        }
        async let pushes = driver(.pushes)?.run(
            prepare: { slot in
                try GitRunner.shell(
                    "head -c \(rawBytes) /dev/urandom | base64 -w 0 > mix.txt && git add -A && git commit -q -m 'mix push'", in: work + "/push-\(slot)")
            },
            operation: { slot, _ in try GitRunner.shell("git push -q origin HEAD:refs/heads/mix-\(slot)", in: work + "/push-\(slot)") })
        var results: [MixRatio.Class: ClassResult] = [:]
        if let reads = try await reads {
            results[.reads] = ClassResult(latency: reads.histogram, completed: reads.completed, errors: reads.errors, seconds: reads.seconds)
        }
        for (mixClass, result) in [(MixRatio.Class.clones, await clones), (.fetches, await fetches), (.pushes, await pushes)] {
            guard let result else { continue }
            results[mixClass] = ClassResult(
                latency: result.latency, completed: result.completed, errors: result.errors + result.missed, seconds: result.seconds,
                firstError: result.firstError)
        }
        return results
    }

    private func readLoad(duration: Double, warmup: Double) async throws -> LoadResult? {
        let readRate = ratio.rate(of: .reads, total: rate)
        guard readRate > 0 else { return nil }
        return try await HTTPLoadGenerator.run(LoadPlan(
            host: node.host, port: node.port, connections: max(1, min(settings.connections, 64, Int(readRate.rounded(.up)))),
            duration: duration, warmup: warmup, rate: readRate, request: LoadRequest(path: settings.readPath, token: node.token)))
    }

    /// The node's RocksDB size, SST files plus memtables over all column families, from its
    /// `/metrics`; nil when it cannot be read.
    func rocksDBBytes() async -> Double? {
        let exchange = HTTPExchange(host: node.host, port: node.port, timeout: .seconds(30))
        let headers = node.token.map { [("authorization", "Bearer \($0)")] } ?? []
        guard let response = try? await exchange.send(method: .GET, path: "/metrics", headers: headers), response.status == 200 else {
            return nil
        }
        return Self.rocksDBBytes(metrics: String(decoding: response.body, as: UTF8.self))
    }

    /// The sum of the `guts_rocksdb_sst_bytes` and `guts_rocksdb_memtable_bytes` samples of a
    /// Prometheus text page; nil when it has neither.
    static func rocksDBBytes(metrics: String) -> Double? {
        var total: Double?
        for line in metrics.split(separator: "\n") where line.hasPrefix("guts_rocksdb_sst_bytes") || line.hasPrefix("guts_rocksdb_memtable_bytes") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }

    /// Removes the working clones.
    func remove() {
        try? FileManager.default.removeItem(atPath: work)
    }

    /// Percentiles (ms), throughput and errors of each class over repeated windows, as medians.
    static func metrics(_ windows: [[MixRatio.Class: ClassResult]]) -> [Metric] {
        var metrics: [Metric] = []
        for mixClass in MixRatio.Class.allCases {
            let results = windows.compactMap { $0[mixClass] }
            guard !results.isEmpty else { continue }
            let name = mixClass.rawValue
            for (label, percentile) in [("p50", 50.0), ("p90", 90), ("p99", 99), ("max", 100)] {
                metrics.append(Metric(
                    "\(name).\(label)", samples: results.map { Double($0.latency.value(atPercentile: percentile)) / 1e6 }, unit: "ms",
                    direction: label == "max" ? .informational : .lowerIsBetter))
            }
            metrics.append(Metric("\(name).throughput", samples: results.map(\.perSecond), unit: "ops/s", direction: .higherIsBetter))
            metrics.append(Metric("\(name).errors", samples: results.map { Double($0.errors) }, unit: "count", direction: .lowerIsBetter))
        }
        return metrics
    }

    /// One latency curve per class over all windows, in ms.
    static func curves(_ windows: [[MixRatio.Class: ClassResult]]) -> [LatencyCurve] {
        MixRatio.Class.allCases.compactMap { mixClass in
            let results = windows.compactMap { $0[mixClass] }
            guard !results.isEmpty else { return nil }
            var merged = LatencyHistogram()
            for result in results { merged.merge(result.latency) }
            return LatencyCurve(name: mixClass.rawValue, histogram: merged)
        }
    }

    /// The scenario's parameters and a note on what each class does.
    var parameters: [String: String] {
        ["mix": ratio.description, "rate": "\(rate)", "rateConcurrency": "\(slots)", "pushBytes": "\(settings.pushBytes)",
         "repository": "generated \(settings.cloneMegabytes) MB", "readPath": settings.readPath]
    }

    var note: String {
        "all classes at once, open loop, latency from each operation's due time: reads GET \(settings.readPath); clones git clone "
            + "--no-checkout; fetches git fetch of a bare clone (picks up the pushes); pushes git push of one new commit with "
            + "\(settings.pushBytes) bytes to a branch per slot; at most \(slots) git operations of each class at once; "
            + "git errors include operations due that never started"
    }
}
