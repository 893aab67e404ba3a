import Foundation
import GutsTestSupport
import Testing

/// Three etcd members and three `guts serve --etcd` nodes, all started by the test, driven
/// with the stock git.
@Suite(.serialized, .enabled(if: EtcdCluster.isInstalled, "needs etcd (scripts/setup.sh installs etcd-server)"))
struct ClusterTests {
    /// `<id> <ref>` lines of a remote, sorted.
    static func remoteRefs(_ url: String) throws -> String {
        try Shell.check("git ls-remote --refs '\(url)' | sort -k2", in: "/tmp")
    }

    static func clone(_ url: String) throws -> String {
        let directory = try Shell.temporaryDirectory("cluster-clone")
        try Shell.check("git clone -q --mirror '\(url)' .", in: directory)
        return directory
    }

    @Test func aPushToOneNodeIsClonedFromTheOthersAndOfTwoConcurrentPushesOneWins() async throws {
        let cluster = try ClusterNodes(etcd: EtcdCluster())
        let source = try SampleRepository.make()
        defer { try? FileManager.default.removeItem(atPath: source) }
        try Shell.check("git push -q '\(cluster[0].authenticatedURL("acme/project"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        let expected = try SampleRepository.refs(in: source)
        for node in [cluster[1], cluster[2]] {
            let copy = try Self.clone(node.anonymousURL("acme/project"))
            defer { try? FileManager.default.removeItem(atPath: copy) }
            #expect(try SampleRepository.refs(in: copy) == expected)
            try Shell.check("git fsck --strict --no-dangling", in: copy)
        }

        // A private repository, created through n1's API, is private on every node.
        try Shell.check("curl -sf -u git:\(NodeProcess.writeToken) -X POST -d '{\"name\":\"acme/secret\",\"private\":true}' \(cluster[0].baseURL)/api/repos", in: "/tmp")
        try Shell.check("git push -q '\(cluster[0].authenticatedURL("acme/secret"))' main", in: source)
        for node in [cluster[1], cluster[2]] {
            #expect(try Shell.run("git ls-remote '\(node.anonymousURL("acme/secret"))'", in: "/tmp").status != 0)
            #expect(try Self.remoteRefs(node.authenticatedURL("acme/secret")).contains("refs/heads/main"))
        }

        // Two writers, each with its own commit on main, push at once through n2 and n3.
        var writers = [String]()
        for (index, node) in [cluster[1], cluster[2]].enumerated() {
            let directory = try Shell.temporaryDirectory("cluster-writer")
            try Shell.check("git clone -q '\(node.authenticatedURL("acme/project"))' . && echo writer \(index) > race.txt && git add race.txt && git commit -q -m 'writer \(index)'", in: directory)
            writers.append(directory)
        }
        defer { for directory in writers { try? FileManager.default.removeItem(atPath: directory) } }
        let pushers = writers
        let outcomes = await withTaskGroup(of: (index: Int, status: Int32, stderr: String).self) { group in
            for index in pushers.indices {
                group.addTask {
                    let output = try? Shell.run("git push origin main", in: pushers[index])
                    return (index, output?.status ?? -1, output?.stderr ?? "")
                }
            }
            var all = [(index: Int, status: Int32, stderr: String)]()
            for await outcome in group { all.append(outcome) }
            return all.sorted { $0.index < $1.index }
        }
        let winners = outcomes.filter { $0.status == 0 }.map(\.index)
        #expect(winners.count == 1, "push outcomes: \(outcomes)")
        guard let winner = winners.first else { return }
        #expect(outcomes[1 - winner].stderr.contains("rejected"), "the losing push: \(outcomes[1 - winner].stderr)")
        let winning = try Shell.check("git rev-parse HEAD", in: writers[winner]).trimmingCharacters(in: .whitespacesAndNewlines)
        let everywhere = try cluster.nodes.map { try Self.remoteRefs($0.anonymousURL("acme/project")) }
        #expect(Set(everywhere).count == 1)
        #expect(everywhere[0].contains("\(winning)\trefs/heads/main"))
    }

    @Test func acknowledgedPushesSurviveANodeKillAndEtcdQuorumDecidesWrites() throws {
        let etcd = try EtcdCluster()
        // n3 knows only the third etcd member: killing it cuts n3 off while etcd keeps its quorum.
        let cluster = try ClusterNodes(etcd: etcd, endpoints: [2: [etcd.endpoints[2]]])
        let work = try Shell.temporaryDirectory("cluster-loop")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("git init -q -b main . && echo 0 > n.txt && git add n.txt && git commit -q -m c0 && git push -q '\(cluster[0].authenticatedURL("acme/loop"))' main", in: work)

        // Pushes through n1 until it is killed; git's exit status says which were acknowledged.
        var acknowledged = [String]()
        var killed = false
        for step in 1...40 {
            try Shell.check("echo \(step) > n.txt && git commit -q -am c\(step)", in: work)
            if step == 6 {
                // Kill n1 while this push is in flight.
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(150)) { cluster[0].kill() }
                killed = true
            }
            let push = try Shell.run("git push -q '\(cluster[0].authenticatedURL("acme/loop"))' main", in: work)
            if push.status == 0 { acknowledged.append(try Shell.check("git rev-parse HEAD", in: work).trimmingCharacters(in: .whitespacesAndNewlines)) }
            if killed, !cluster[0].process.isRunning { break }
        }
        #expect(acknowledged.count >= 5)
        for node in [cluster[1], cluster[2]] {
            let copy = try Self.clone(node.anonymousURL("acme/loop"))
            defer { try? FileManager.default.removeItem(atPath: copy) }
            for commit in acknowledged {
                #expect(try Shell.run("git merge-base --is-ancestor \(commit) main", in: copy).status == 0, "acknowledged \(commit) missing on \(node.baseURL)")
            }
            try Shell.check("git fsck --strict --no-dangling", in: copy)
        }

        // The repository stays writable through the others at once.
        let survivor = try Shell.temporaryDirectory("cluster-survivor")
        defer { try? FileManager.default.removeItem(atPath: survivor) }
        try Shell.check("git clone -q '\(cluster[1].authenticatedURL("acme/loop"))' . && echo after > n.txt && git commit -q -am after-kill && git push -q origin main", in: survivor)
        let afterKill = try Shell.check("git rev-parse HEAD", in: survivor).trimmingCharacters(in: .whitespacesAndNewlines)

        // n1 catches up by itself: its local refs (the API reads them without asking etcd) reach etcd's.
        try cluster[0].restart()
        try ClusterNodes.waitForCatchUp(cluster[0])
        let branches = try Shell.check("curl -s \(cluster[0].baseURL)/api/repos/acme/loop/branches", in: "/tmp")
        #expect(branches.contains(afterKill), "n1 after restart: \(branches)")

        // One etcd member down: pushes go on. n3, which reached etcd only through it, is cut
        // off: within its lease TTL it reports itself unready and refuses pushes; it still serves clones.
        let synchronized = try Self.remoteRefs(cluster[2].anonymousURL("acme/loop"))
        let cutOff = Date()
        etcd.kill(2)
        try Shell.check("echo one-down > n.txt && git commit -q -am one-etcd-down && git push -q origin main", in: survivor)
        let oneDown = try Shell.check("git rev-parse HEAD", in: survivor).trimmingCharacters(in: .whitespacesAndNewlines)
        while ClusterNodes.health(cluster[2])["status"] as? String == "ok", Date().timeIntervalSince(cutOff) < 15 { usleep(100_000) }
        #expect(Date().timeIntervalSince(cutOff) < 3 + 3, "n3 was ready for \(Date().timeIntervalSince(cutOff)) s after losing etcd")
        let isolated = try Shell.temporaryDirectory("cluster-isolated")
        defer { try? FileManager.default.removeItem(atPath: isolated) }
        try Shell.check("git clone -q '\(cluster[2].authenticatedURL("acme/loop"))' .", in: isolated)
        #expect(try Self.remoteRefs(cluster[2].anonymousURL("acme/loop")) == synchronized)
        let split = try Shell.run("echo split > n.txt && git commit -q -am split && git push origin main", in: isolated)
        #expect(split.status != 0)
        #expect(split.stderr.contains("cluster unavailable"), "git said: \(split.stderr)")

        // Two down: no quorum. The push fails with a reason git prints; clones go on, from
        // the local refs as of the node's last synchronization.
        etcd.kill(1)
        try Shell.check("echo two-down > n.txt && git commit -q -am two-etcd-down", in: survivor)
        let refused = try Shell.run("git push origin main", in: survivor)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cluster unavailable"), "git said: \(refused.stderr)")
        let copy = try Self.clone(cluster[1].anonymousURL("acme/loop"))
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try Shell.check("git fsck --strict --no-dangling", in: copy)
        #expect(try Shell.check("git rev-parse main", in: copy).trimmingCharacters(in: .whitespacesAndNewlines) == oneDown)
    }
}

/// The admin commands in a cluster: `migrate import` placed like a push, and the per-node
/// commands (`cache-stats`, `compact`, `fsck`) run on one member or on all of them.
extension ClusterTests {
    static func guts(_ arguments: String) throws -> Shell.Output {
        try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: "/tmp")
    }

    @Test func anImportThroughOneNodeIsPlacedLikeAPushAndPerNodeCommandsReachEveryMember() throws {
        let etcd = try EtcdCluster()
        let cluster = try ClusterNodes(etcd: etcd)
        let source = try SampleRepository.make()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let through = { (node: NodeProcess) in "--node \(node.baseURL) --token \(NodeProcess.adminToken)" }

        let imported = try Self.guts("migrate import '\(source)' --name acme/imported \(through(cluster[0])) --quiet")
        #expect(imported.status == 0, "import: \(imported.stderr)")
        let expected = try SampleRepository.refs(in: source)
        for node in [cluster[1], cluster[2]] {
            let copy = try Self.clone(node.anonymousURL("acme/imported"))
            defer { try? FileManager.default.removeItem(atPath: copy) }
            #expect(try SampleRepository.refs(in: copy) == expected)
            try Shell.check("git fsck --strict --no-dangling", in: copy)
        }

        // One member: cache-stats names the node and the members it sees.
        let table = try Self.guts("cache-stats \(through(cluster[1]))")
        #expect(table.status == 0, "cache-stats: \(table.stderr)")
        #expect(table.stdout.hasPrefix("node n2 of cluster members n1, n2, n3\n"), "cache-stats: \(table.stdout)")

        // Every member, asked of n2: one report per node, each from that node.
        func outcomes(_ command: String) throws -> [[String: Any]] {
            let output = try Self.guts("\(command) --all-members \(through(cluster[1])) --json")
            #expect(output.status == 0, "\(command) --all-members: \(output.stderr)")
            return (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]) ?? []
        }
        let stats = try outcomes("cache-stats")
        #expect(stats.compactMap { $0["node"] as? String } == ["n1", "n2", "n3"])
        #expect(stats.compactMap { ($0["report"] as? [String: Any])?["cluster"] as? [String: Any] }.compactMap { $0["node"] as? String } == ["n1", "n2", "n3"])
        let checks = try outcomes("fsck")
        let reports = checks.compactMap { $0["report"] as? [String: Any] }
        #expect(reports.count == 3 && reports.allSatisfy { ($0["problems"] as? [Any])?.isEmpty == true }, "fsck: \(checks)")
        // Each node checked its own copy of every imported object.
        let counts = reports.compactMap { $0["objects"] as? Int }
        #expect(counts.count == 3 && Set(counts).count == 1 && counts[0] > 0, "fsck object counts: \(counts)")
        #expect(try outcomes("compact").compactMap { $0["report"] as? [String: Any] }.count == 3)

        // `guts bench cluster --url` measures the running nodes: acknowledged through n1, visible on n2 and n3.
        let urls = cluster.nodes.map(\.baseURL).joined(separator: ",")
        let bench = try Self.guts("bench cluster --url \(urls) --token \(NodeProcess.writeToken) --push-samples 2 --push-bytes 4096 --json")
        #expect(bench.status == 0, "bench cluster --url: \(bench.stderr)")
        let scenario = ((try? JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any])?["scenarios"] as? [[String: Any]])?.first
        let metrics = Dictionary(((scenario?["metrics"] as? [[String: Any]]) ?? []).compactMap { metric in
            (metric["name"] as? String).flatMap { name in (metric["value"] as? Double).map { (name, $0) } }
        }, uniquingKeysWith: { first, _ in first })
        for name in ["cluster.p50", "cluster.p99", "visible.p50", "throughput.cluster"] {
            #expect((metrics[name] ?? 0) > 0, "bench cluster --url: \(name) in \(metrics)")
        }

        // Without etcd's quorum the import is refused and no node's refs move.
        etcd.kill(1)
        etcd.kill(2)
        let refused = try Self.guts("migrate import '\(source)' --name acme/refused \(through(cluster[0])) --quiet")
        #expect(refused.status == 75, "import without quorum: \(refused.status) \(refused.stderr)")
        #expect(refused.stderr.contains("cluster unavailable"), "import without quorum: \(refused.stderr)")
        #expect(try Shell.run("git ls-remote --refs '\(cluster[0].anonymousURL("acme/refused"))'", in: "/tmp").stdout.isEmpty)

        // A member that cannot answer is reported as such, the others still run, and the run fails.
        cluster[2].kill()
        let partial = try Self.guts("fsck --all-members \(through(cluster[1])) --json")
        #expect(partial.status == 1, "fsck --all-members with n3 dead: \(partial.status) \(partial.stderr)")
        let answers = (try? JSONSerialization.jsonObject(with: Data(partial.stdout.utf8)) as? [[String: Any]]) ?? []
        #expect(answers.map { $0["report"] != nil } == [true, true, false], "fsck --all-members with n3 dead: \(answers)")
        #expect(partial.stderr.contains("n3: cannot reach node"), "fsck --all-members with n3 dead: \(partial.stderr)")
    }
}
