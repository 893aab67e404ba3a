import Foundation

/// `clone`: wall time and throughput of the stock `git clone` through the node. With a
/// peer (`--peer`), the same clones from git's own server in the same run, and an
/// incremental fetch of one new commit from each, as ratios.
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
            try GitRunner.generateRepository(at: source, megabytes: settings.cloneMegabytes)
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
        var metrics = [
            Metric("seconds", samples: seconds, unit: "s", direction: .lowerIsBetter),
            Metric("throughput", samples: throughput, unit: "MB/s", direction: .higherIsBetter, target: .cloneThroughput),
            Metric("packMB", Double(packBytes) / 1_000_000, unit: "MB", direction: .informational),
        ]
        var notes = ["git clone --no-checkout: wall time of the transfer and index; MB/s = received pack bytes / wall time"]
        var parameters = ["repository": settings.cloneRepository ?? "generated \(settings.cloneMegabytes) MB", "samples": "\(seconds.count)"]
        var curves: [LatencyCurve] = []
        if let rate = settings.cloneRate {
            let results = try await openLoop(rate: rate, repository: repository, work: work)
            metrics += OpenLoopDriver.Result.metrics(prefix: "rate", results)
            curves.append(OpenLoopDriver.Result.curve("rate", results))
            parameters["cloneRate"] = "\(rate)"
            parameters["rateConcurrency"] = "\(settings.rateConcurrency)"
            notes.append("rate.*: git clone --no-checkout started at \(rate)/s open loop, at most \(settings.rateConcurrency) at once, "
                + "latency from each clone's due time (coordinated omission corrected); rate.service.p99 from its actual start")
            if let error = results.compactMap(\.firstError).first { notes.append("rate: first error: \(error)") }
        }
        if let kind = settings.peer {
            metrics += try comparePeer(kind, source: source, repository: repository, work: work)
            parameters["peer"] = kind.rawValue
            notes.append("clone.*: git clone --bare from the node and from \(kind.rawValue) in alternating order "
                + "(repeated clones of one ref state, which the node's pack cache serves); "
                + "clone.afterPush.*: the same right after a new commit was pushed to both (no cached pack applies); "
                + "fetch.*: git fetch of one new commit pushed to both; ratio = node median / peer median")
        }
        return ScenarioResult(name: "clone", parameters: parameters, metrics: metrics, notes: notes, curves: curves)
    }

    /// `samples` open-loop runs of `duration` seconds of clones at `rate` per second.
    private func openLoop(rate: Double, repository: String, work: String) async throws -> [OpenLoopDriver.Result] {
        progress.report("clone: \(rate) clones/s open loop, at most \(settings.rateConcurrency) at once")
        let url = node.gitURL(repository)
        var results: [OpenLoopDriver.Result] = []
        for sample in 0..<max(1, settings.samples) {
            let driver = OpenLoopDriver(
                rate: rate, duration: settings.duration, warmup: sample == 0 ? settings.warmup : 0, concurrency: settings.rateConcurrency)
            results.append(await driver.run(
                prepare: { slot in try? FileManager.default.removeItem(atPath: work + "/rate-\(slot)") },
                operation: { slot, _ in try GitRunner.shell("git clone -q --no-checkout '\(url)' 'rate-\(slot)'", in: work) }))
            progress.report("clone: open-loop sample \(sample + 1): \(results[sample].completed) clones, \(results[sample].late) late")
        }
        return results
    }

    private func comparePeer(_ kind: GitPeer.Kind, source: String, repository: String, work: String) throws -> [Metric] {
        let root = work + "/peer"
        try FileManager.default.createDirectory(atPath: root + "/bench", withIntermediateDirectories: true)
        let peer = try GitPeer.start(kind, root: root)
        defer { peer.stop() }
        try peer.createRepository("bench/repo")
        try GitRunner.shell("git push -q '\(peer.url("bench/repo"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        progress.report("clone: comparing with \(kind.rawValue)")
        var clones = PeerComparison()
        for sample in 0..<max(1, settings.samples) {
            try clones.round(sample, node: {
                try GitRunner.shell("rm -rf node.git && git clone -q --bare '\(node.gitURL(repository))' node.git", in: work)
            }, peer: {
                try GitRunner.shell("rm -rf peer.git && git clone -q --bare '\(peer.url("bench/repo"))' peer.git", in: work)
            })
        }
        try GitRunner.shell("git clone -q '\(node.gitURL(repository))' writer", in: work)
        func pushNewCommit(_ label: String) throws {
            try GitRunner.shell("""
                echo "\(label)" >> writer/bench-fetch.txt && git -C writer add -A && git -C writer commit -q -m '\(label)'
                git -C writer push -q origin HEAD && git -C writer push -q '\(peer.url("bench/repo"))' HEAD
                """, in: work)
        }
        // A clone right after a push asks for new wants, so no pack generated before serves it.
        var freshClones = PeerComparison()
        for sample in 0..<max(1, settings.samples) {
            try pushNewCommit("clone \(sample)")
            try freshClones.round(sample, node: {
                try GitRunner.shell("rm -rf node.git && git clone -q --bare '\(node.gitURL(repository))' node.git", in: work)
            }, peer: {
                try GitRunner.shell("rm -rf peer.git && git clone -q --bare '\(peer.url("bench/repo"))' peer.git", in: work)
            })
        }
        var fetches = PeerComparison()
        for sample in 0..<max(1, settings.samples) {
            try pushNewCommit("fetch \(sample)")
            try fetches.round(sample, node: { try GitRunner.shell("git -C node.git fetch -q origin '+refs/heads/*:refs/heads/*'", in: work) },
                              peer: { try GitRunner.shell("git -C peer.git fetch -q origin '+refs/heads/*:refs/heads/*'", in: work) })
        }
        return clones.metrics("clone") + freshClones.metrics("clone.afterPush") + fetches.metrics("fetch")
    }
}
