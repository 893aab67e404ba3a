import Foundation

/// `clone`: wall time and throughput of the stock `git clone` through the node.
struct CloneScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        let work = try GitRunner.temporaryDirectory("clone")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let source: String
        if let given = settings.cloneRepository {
            source = given
        } else {
            source = work + "/source"
            progress.report("clone: generating a \(settings.cloneMegabytes) MB repository")
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            let perCommit = max(1, Int(settings.cloneMegabytes * 1_000_000 / 10 * 0.75))
            try GitRunner.shell("""
                git init -q -b main . && for i in 1 2 3 4 5 6 7 8 9 10; do
                  mkdir -p d$i && head -c \(perCommit) /dev/urandom | base64 > d$i/data.txt && git add -A && git commit -q -m "commit $i"
                done
                """, in: source)
        }
        let repository = "bench/clone-\(UUID().uuidString.prefix(8).lowercased())"
        progress.report("clone: pushing the repository to \(repository)")
        try GitRunner.shell(
            "git push -q '\(node.gitURL(repository))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        var seconds: [Double] = []
        var throughput: [Double] = []
        var packBytes = 0
        for sample in 0...max(1, settings.samples) {
            let destination = work + "/clone-\(sample)"
            let start = ContinuousClock.now
            try GitRunner.shell("git clone -q --no-checkout '\(node.gitURL(repository))' '\(destination)'", in: work)
            let elapsed = (ContinuousClock.now - start).seconds
            packBytes = GitRunner.directorySize(destination + "/.git/objects/pack")
            try? FileManager.default.removeItem(atPath: destination)
            guard sample > 0 else { continue }  // the first clone warms caches
            seconds.append(elapsed)
            throughput.append(Double(packBytes) / 1_000_000 / elapsed)
            progress.report("clone: sample \(sample) \(ReportFormatter.format(elapsed)) s")
        }
        return ScenarioResult(
            name: "clone",
            parameters: ["repository": settings.cloneRepository ?? "generated \(settings.cloneMegabytes) MB", "samples": "\(seconds.count)"],
            metrics: [
                Metric("seconds", samples: seconds, unit: "s", direction: .lowerIsBetter),
                Metric("throughput", samples: throughput, unit: "MB/s", direction: .higherIsBetter, target: .cloneThroughput),
                Metric("packMB", Double(packBytes) / 1_000_000, unit: "MB", direction: .informational),
            ],
            notes: ["git clone --no-checkout: wall time of the transfer and index; MB/s = received pack bytes / wall time"])
    }
}
