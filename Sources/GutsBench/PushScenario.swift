import Foundation

/// `push`: latency of pushing about 1 MiB of new content, with the stock git client
/// (`p50`...`max`) and with `NativePushClient` (`native.p50`...`native.max`).
struct PushScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        if let history = settings.cloneRepository { return try firstPush(of: history) }
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
        progress.report("push: \(seconds.count) git pushes done")
        let native = try await measureNative(repository: repository)
        progress.report("push: \(native.totalCount) native pushes done")
        var metrics = Self.metrics(histogram, prefix: "") + Self.metrics(native, prefix: "native.")
        var curves = [LatencyCurve(name: "git", histogram: histogram, unit: "s"), LatencyCurve(name: "native", histogram: native, unit: "s")]
        var parameters = ["bytes": "\(settings.pushBytes)", "samples": "\(seconds.count)", "client": "git,native"]
        var notes = [
            "each push adds one commit with \(settings.pushBytes) bytes of new base64 text; p50...max: stock git, "
                + "native.*: NativePushClient (advertisement, objects and pack built in memory, push and report)",
        ]
        if let rate = settings.pushRate {
            let results = try await openLoop(rate: rate, repository: repository, work: work)
            metrics += OpenLoopDriver.Result.metrics(prefix: "rate", results)
            curves.append(OpenLoopDriver.Result.curve("rate", results))
            parameters["pushRate"] = "\(rate)"
            parameters["rateConcurrency"] = "\(settings.rateConcurrency)"
            notes.append("rate.*: stock git pushes started at \(rate)/s open loop, at most \(settings.rateConcurrency) at once, each on "
                + "its own branch; latency from each push's due time (coordinated omission corrected), the commit made before it is due; "
                + "rate.service.p99 from its actual start")
            if let error = results.compactMap(\.firstError).first { notes.append("rate: first error: \(error)") }
        }
        return ScenarioResult(name: "push", parameters: parameters, metrics: metrics, notes: notes, curves: curves)
    }

    /// `samples` open-loop runs of `duration` seconds of git pushes at `rate` per second: slot
    /// `k` pushes new commits to branch `rate-k` from its own clone.
    private func openLoop(rate: Double, repository: String, work: String) async throws -> [OpenLoopDriver.Result] {
        progress.report("push: \(rate) pushes/s open loop, at most \(settings.rateConcurrency) at once")
        let slots = max(1, settings.rateConcurrency)
        for slot in 0..<slots {
            try GitRunner.shell(
                "git clone -q '\(node.gitURL(repository))' rate-\(slot) && git -C rate-\(slot) checkout -q -b rate-\(slot)", in: work)
        }
        let rawBytes = max(1, settings.pushBytes * 3 / 4)
        var results: [OpenLoopDriver.Result] = []
        for sample in 0..<max(1, settings.samples) {
            let driver = OpenLoopDriver(
                rate: rate, duration: settings.duration, warmup: sample == 0 ? settings.warmup : 0, concurrency: slots)
            results.append(await driver.run(
                prepare: { slot in
                    try GitRunner.shell(
                        "head -c \(rawBytes) /dev/urandom | base64 -w 0 > blob.txt && git add -A && git commit -q -m 'rate push'",
                        in: work + "/rate-\(slot)")
                },
                operation: { slot, _ in try GitRunner.shell("git push -q origin HEAD:refs/heads/rate-\(slot)", in: work + "/rate-\(slot)") }))
            progress.report("push: open-loop sample \(sample + 1): \(results[sample].completed) pushes, \(results[sample].late) late")
        }
        return results
    }

    /// The first push of a real history (all branches and tags) into a new repository,
    /// `samples` times, beside the same push into git's own server with `--peer`.
    private func firstPush(of history: String) throws -> ScenarioResult {
        let work = try GitRunner.temporaryDirectory("first-push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let refspecs = "'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'"
        var metrics: [Metric] = []
        var parameters = ["repository": history, "samples": "\(max(1, settings.samples))"]
        if let kind = settings.peer {
            try FileManager.default.createDirectory(atPath: work + "/bench", withIntermediateDirectories: true)
            let peer = try GitPeer.start(kind, root: work)
            defer { peer.stop() }
            var pushes = PeerComparison()
            for sample in 0..<max(1, settings.samples) {
                let name = "bench/first-\(sample)-\(UUID().uuidString.prefix(8).lowercased())"
                try peer.createRepository(name)
                try pushes.round(sample, node: { try GitRunner.shell("git push -q '\(node.gitURL(name))' \(refspecs)", in: history) },
                                 peer: { try GitRunner.shell("git push -q '\(peer.url(name))' \(refspecs)", in: history) })
                progress.report("push: first push \(sample + 1) done")
            }
            metrics = pushes.metrics("firstPush")
            parameters["peer"] = kind.rawValue
        } else {
            var seconds: [Double] = []
            for sample in 0..<max(1, settings.samples) {
                let start = ContinuousClock.now
                try GitRunner.shell("git push -q '\(node.gitURL("bench/first-\(sample)-\(UUID().uuidString.prefix(8).lowercased())"))' \(refspecs)", in: history)
                seconds.append((ContinuousClock.now - start).seconds)
            }
            metrics = [Metric("firstPush.seconds", samples: seconds, unit: "s", direction: .lowerIsBetter)]
        }
        return ScenarioResult(name: "push", parameters: parameters, metrics: metrics, notes: [
            "git push of every branch and tag of the repository into a new, empty repository; ratio = node median / peer median",
        ])
    }

    /// Pushes with `NativePushClient`: one warm-up, then `pushSamples` timed pushes, each from
    /// reading the advertisement to checking the report (content generation is not timed).
    private func measureNative(repository: String) async throws -> LatencyHistogram {
        let client = node.nativePushClient()
        var histogram = LatencyHistogram()
        for sample in 0...max(1, settings.pushSamples) {
            let content = Self.base64Content(bytes: settings.pushBytes)
            let start = ContinuousClock.now
            _ = try await client.pushCommit(repository: repository, branch: "main", content: content, message: "native push \(sample)\n")
            let elapsed = ContinuousClock.now - start
            guard sample > 0 else { continue }  // warm-up push
            histogram.record(UInt64(max(0, elapsed.seconds * 1e9)))
        }
        return histogram
    }

    /// `bytes` bytes of base64 text of random bytes, like the git pushes' files.
    static func base64Content(bytes: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var raw = [UInt8]()
        raw.reserveCapacity(bytes + 8)
        while raw.count * 4 / 3 < bytes {
            withUnsafeBytes(of: generator.next() as UInt64) { raw.append(contentsOf: $0) }
        }
        return Array(Data(raw).base64EncodedData().prefix(bytes))
    }

    /// p50, p95 (with the seed target), p99 and max in seconds.
    static func metrics(_ histogram: LatencyHistogram, prefix: String) -> [Metric] {
        let count = Int(histogram.totalCount)
        func quantile(_ percentile: Double) -> Double { Double(histogram.value(atPercentile: percentile)) / 1e9 }
        return [
            Metric("\(prefix)p50", quantile(50), unit: "s", direction: .lowerIsBetter, samples: count),
            Metric("\(prefix)p95", quantile(95), unit: "s", direction: .lowerIsBetter, samples: count, target: .pushP95),
            Metric("\(prefix)p99", quantile(99), unit: "s", direction: .lowerIsBetter, samples: count),
            Metric("\(prefix)max", quantile(100), unit: "s", direction: .informational, samples: count),
        ]
    }
}
