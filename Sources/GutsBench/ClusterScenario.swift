import Foundation
import NIOHTTP1

/// `cluster`: a 3-node cluster (3 etcd members, `guts serve --etcd` processes) beside a
/// standalone node in the same run: push acknowledgement latency of each (stock git,
/// alternating), the time until a push is in every other node's local refs, and the
/// failover after a node is SIGKILLed.
///
/// With `--url URL,URL...` it measures a running cluster instead: push acknowledgement
/// through the first node, the time until the others hold the tip, and throughput with one
/// client per node. The standalone peer and the failover need processes the bench starts
/// itself, so they are left out there.
struct ClusterScenario: Sendable {
    let settings: BenchSettings
    let progress: BenchProgress
    /// The running members of `--url`; empty: start a cluster.
    var remote: [BenchNode] = []

    func run() async throws -> ScenarioResult {
        if !remote.isEmpty { return try await runRemote() }
        progress.report("cluster: starting 3 etcd members, 3 cluster nodes and a standalone node")
        let cluster = try BenchCluster(clusterNodes: 3)
        defer { cluster.stop() }
        try await waitForMembers(cluster.members[1], count: 3)
        let work = try GitRunner.temporaryDirectory("cluster-push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let repository = "bench/cluster-\(UUID().uuidString.prefix(8).lowercased())"
        for (label, node) in [("single", cluster.single), ("cluster", cluster.members[0])] {
            try GitRunner.shell("""
                mkdir \(label) && cd \(label) && git init -q -b main . && echo start > README && git add -A && git commit -q -m start && \
                git remote add origin '\(cluster.gitURL(node, repository))' && git push -q origin main
                """, in: work)
        }
        let rawBytes = max(1, settings.pushBytes * 3 / 4)
        var single = LatencyHistogram(), clustered = LatencyHistogram(), visible = LatencyHistogram()
        var visibleSeconds = [Double]()
        for sample in 0...max(1, settings.pushSamples) {
            for label in ["single", "cluster"] {
                try GitRunner.shell(
                    "head -c \(rawBytes) /dev/urandom | base64 -w 0 > blob-\(sample).txt && git add -A && git commit -q -m 'push \(sample)'",
                    in: "\(work)/\(label)")
                let start = ContinuousClock.now
                try GitRunner.shell("git push -q origin main", in: "\(work)/\(label)")
                let acknowledged = ContinuousClock.now
                guard sample > 0 else { continue }  // warm-up push
                (label == "single" ? { single.record(Self.nanoseconds(acknowledged - start)) } : { clustered.record(Self.nanoseconds(acknowledged - start)) })()
                if label == "cluster" {
                    let tip = try GitRunner.shell("git rev-parse HEAD", in: "\(work)/cluster").trimmingCharacters(in: .whitespacesAndNewlines)
                    for node in cluster.members.dropFirst() { try await waitUntilLocal(tip, repository: repository, host: "127.0.0.1", port: node.port) }
                    let elapsed = ContinuousClock.now - acknowledged
                    visible.record(Self.nanoseconds(elapsed))
                    visibleSeconds.append(elapsed.seconds)
                }
            }
        }
        progress.report("cluster: \(clustered.totalCount) pushes each to the cluster and to the standalone node")

        let singleURL = cluster.gitURL(cluster.single, repository)
        let singleRate = try throughput(to: [singleURL, singleURL, singleURL], work: work, label: "single")
        let clusterRate = try throughput(to: cluster.members.map { cluster.gitURL($0, repository) }, work: work, label: "cluster")
        progress.report("cluster: throughput \(Int(singleRate)) pushes/s standalone, \(Int(clusterRate)) pushes/s cluster")

        // Failover: n1 dies; how soon does a push through n2 succeed, and when does n2 see n1 gone?
        let survivor = "\(work)/survivor"
        try GitRunner.shell("git clone -q '\(cluster.gitURL(cluster.members[1], repository))' '\(survivor)'", in: work)
        try GitRunner.shell("echo failover > failover.txt && git add -A && git commit -q -m failover", in: survivor)
        let killed = ContinuousClock.now
        cluster.kill(cluster.members[0])
        var firstPush: Double?
        while firstPush == nil, ContinuousClock.now - killed < .seconds(30) {
            if (try? GitRunner.shell("git push -q origin main", in: survivor)) != nil { firstPush = (ContinuousClock.now - killed).seconds }
        }
        try await waitForMembers(cluster.members[1], count: 2, timeout: 30)
        let membership = (ContinuousClock.now - killed).seconds

        let singleP99 = Double(single.value(atPercentile: 99)) / 1e9
        let clusterP99 = Double(clustered.value(atPercentile: 99)) / 1e9
        var metrics = PushScenario.metrics(single, prefix: "single.") + PushScenario.metrics(clustered, prefix: "cluster.")
        metrics.removeAll { $0.name.hasSuffix(".p95") || $0.name.hasSuffix(".max") }
        metrics += [
            Metric("cluster.p99.ratio", singleP99 > 0 ? clusterP99 / singleP99 : 0, unit: "x", direction: .informational),
            Metric("visible.p50", Double(visible.value(atPercentile: 50)) / 1e9, unit: "s", direction: .lowerIsBetter, samples: visibleSeconds.count),
            Metric("visible.p99", Double(visible.value(atPercentile: 99)) / 1e9, unit: "s", direction: .lowerIsBetter, samples: visibleSeconds.count),
            Metric("throughput.single", singleRate, unit: "pushes/s", direction: .higherIsBetter),
            Metric("throughput.cluster", clusterRate, unit: "pushes/s", direction: .higherIsBetter),
            Metric("failover.push", firstPush ?? 30, unit: "s", direction: .lowerIsBetter),
            Metric("failover.membership", membership, unit: "s", direction: .informational),
        ]
        return ScenarioResult(name: "cluster", parameters: [
            "bytes": "\(settings.pushBytes)", "samples": "\(clustered.totalCount)", "nodes": "3", "etcd": "3", "replication": "3",
            "leaseSeconds": "\(BenchCluster.leaseSeconds)",
        ], metrics: metrics, notes: [
            "single.*: git push to a standalone node; cluster.*: to n1 of the cluster (replication to 2 of 3, one etcd transaction), alternating",
            "visible.*: from git's acknowledgement until n2 and n3 both hold the new tip in their local refs (read through the API, which does not ask etcd)",
            "throughput.*: \(Self.throughputClients) git clients at once, each committing and pushing \(Self.throughputPushes) small commits to its own branch "
                + "(standalone: all to the one node; cluster: one client per node)",
            "failover.push: from SIGKILL of n1 until a push through n2 is acknowledged; failover.membership: until n2 lists 2 members (lease TTL \(BenchCluster.leaseSeconds) s)",
            failoverNote(firstPush),
        ].compactMap { $0 })
    }

    /// The scenario against running nodes (`remote`), pushing to a fresh repository.
    private func runRemote() async throws -> ScenarioResult {
        guard remote.count >= 2 else { throw BenchError.requestFailed("cluster --url needs two or more nodes, comma-separated") }
        let work = try GitRunner.temporaryDirectory("cluster-push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let repository = "bench/cluster-\(UUID().uuidString.prefix(8).lowercased())"
        progress.report("cluster: pushing \(repository) through \(remote[0].baseURL), watching \(remote.dropFirst().map(\.baseURL).joined(separator: ", "))")
        try GitRunner.shell("""
            git init -q -b main . && echo start > README && git add -A && git commit -q -m start && \
            git remote add origin '\(remote[0].gitURL(repository))' && git push -q origin main
            """, in: work)
        let rawBytes = max(1, settings.pushBytes * 3 / 4)
        var acknowledged = LatencyHistogram(), visible = LatencyHistogram()
        for sample in 1...max(1, settings.pushSamples) {
            try GitRunner.shell("head -c \(rawBytes) /dev/urandom | base64 -w 0 > blob-\(sample).txt && git add -A && git commit -q -m 'push \(sample)'", in: work)
            let start = ContinuousClock.now
            try GitRunner.shell("git push -q origin main", in: work)
            let done = ContinuousClock.now
            acknowledged.record(Self.nanoseconds(done - start))
            let tip = try GitRunner.shell("git rev-parse HEAD", in: work).trimmingCharacters(in: .whitespacesAndNewlines)
            for node in remote.dropFirst() { try await waitUntilLocal(tip, repository: repository, host: node.host, port: node.port) }
            visible.record(Self.nanoseconds(ContinuousClock.now - done))
        }
        let rate = try throughput(to: remote.map { $0.gitURL(repository) }, work: work, label: "cluster")
        var metrics = PushScenario.metrics(acknowledged, prefix: "cluster.")
        metrics.removeAll { $0.name.hasSuffix(".p95") || $0.name.hasSuffix(".max") }
        metrics += [
            Metric("visible.p50", Double(visible.value(atPercentile: 50)) / 1e9, unit: "s", direction: .lowerIsBetter, samples: Int(visible.totalCount)),
            Metric("visible.p99", Double(visible.value(atPercentile: 99)) / 1e9, unit: "s", direction: .lowerIsBetter, samples: Int(visible.totalCount)),
            Metric("throughput.cluster", rate, unit: "pushes/s", direction: .higherIsBetter),
        ]
        return ScenarioResult(name: "cluster", parameters: [
            "bytes": "\(settings.pushBytes)", "samples": "\(acknowledged.totalCount)", "nodes": "\(remote.count)", "target": "url",
        ], metrics: metrics, notes: [
            "cluster.*: git push through \(remote[0].baseURL); visible.*: from the acknowledgement until every other --url node holds the tip in its local refs (its API)",
            "throughput.cluster: one git client per --url node at once, each pushing \(Self.throughputPushes) small commits to its own branch",
            "against --url there is no standalone peer and no failover (the bench kills only nodes it started)",
        ])
    }

    static let throughputClients = 3
    static let throughputPushes = 10

    /// Pushes per second of one client per git URL in `nodes` (the first one's repository
    /// is cloned), all at once, each pushing small commits to a branch of its own.
    private func throughput(to nodes: [String], work: String, label: String) throws -> Double {
        for (index, node) in nodes.enumerated() {
            try GitRunner.shell("""
                git clone -q '\(nodes[0])' tp-\(label)-\(index) && cd tp-\(label)-\(index) && \
                git checkout -q -b tp-\(index) && git remote set-url origin '\(node)'
                """, in: work)
        }
        let failures = FailureLog()
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
            do {
                for push in 0..<Self.throughputPushes {
                    try GitRunner.shell("echo \(push) > tp.txt && git add -A && git commit -q -m tp\(push) && git push -q origin tp-\(index)", in: "\(work)/tp-\(label)-\(index)")
                }
            } catch {
                failures.record("\(error)")
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        if let failure = failures.first { throw BenchError.requestFailed("throughput (\(label)): \(failure)") }
        return Double(nodes.count * Self.throughputPushes) / seconds
    }

    /// The first error of clients running at once.
    private final class FailureLog: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [String] = []
        func record(_ error: String) { lock.withLock { errors.append(error) } }
        var first: String? { lock.withLock { errors.first } }
    }

    private func failoverNote(_ firstPush: Double?) -> String? {
        firstPush == nil ? "failover: no push through n2 succeeded within 30 s" : nil
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 { UInt64(max(0, duration.seconds * 1e9)) }

    /// Polls a node's API (its local refs) until `repository`'s main is `tip`.
    private func waitUntilLocal(_ tip: String, repository: String, host: String, port: Int, timeout: Duration = .seconds(30)) async throws {
        let exchange = HTTPExchange(host: host, port: port, timeout: .seconds(5))
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let response = try? await exchange.send(method: .GET, path: "/api/repos/\(repository)/branches"),
               String(decoding: response.body, as: UTF8.self).contains(tip) { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError.requestFailed("http://\(host):\(port) did not show \(tip) within \(timeout)")
    }

    /// Polls `/health/ready` until the node lists `count` members.
    private func waitForMembers(_ node: BenchCluster.Node, count: Int, timeout: Double = 60) async throws {
        let exchange = HTTPExchange(host: "127.0.0.1", port: node.port, timeout: .seconds(5))
        let start = ContinuousClock.now
        while (ContinuousClock.now - start).seconds < timeout {
            if let response = try? await exchange.send(method: .GET, path: "/health/ready"),
               let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
               let members = (object["cluster"] as? [String: Any])?["members"] as? [String: Any], members.count == count { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchError.requestFailed("\(node.url) did not list \(count) cluster members within \(Int(timeout)) s")
    }
}
