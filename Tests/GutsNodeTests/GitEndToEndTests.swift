import Foundation
import GutsTestSupport
import Testing

/// Drives a real `guts serve` with the stock git client.
@Suite(.serialized) struct GitEndToEndTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    /// Pushes every branch and tag of the sample repository to `repository` on `node`.
    func pushSample(to node: NodeProcess, repository: String = "acme/project") throws -> String {
        let source = try Self.sample.get()
        try Shell.check("git push -q '\(node.authenticatedURL(repository))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        return source
    }

    @Test func pushThenCloneWithProtocolV0AndV2GivesTheSameHistory() throws {
        let node = try NodeProcess()
        let source = try pushSample(to: node)
        let expectedRefs = try SampleRepository.refs(in: source)
        let expectedCount = try Shell.check("git rev-list --all --count", in: source)
        #expect(Int(expectedCount.trimmingCharacters(in: .whitespacesAndNewlines))! >= 200)
        for version in [0, 2] {
            let work = try Shell.temporaryDirectory("clone-v\(version)")
            defer { try? FileManager.default.removeItem(atPath: work) }
            try Shell.check("git -c protocol.version=\(version) clone -q --mirror '\(node.anonymousURL("acme/project"))' mirror.git", in: work)
            let mirror = work + "/mirror.git"
            #expect(try SampleRepository.refs(in: mirror) == expectedRefs, "protocol v\(version)")
            #expect(try Shell.check("git rev-list --all --count", in: mirror) == expectedCount)
            try Shell.check("git fsck --strict --no-dangling", in: mirror)
            // The pushed deltas are stored and sent again: the clone's pack is close to
            // the one git itself makes (which searches for deltas anew).
            let cloneBytes = try Self.packBytes(in: mirror)
            let gitBytes = Int(try Shell.check("git pack-objects --all --revs --stdout </dev/null | wc -c", in: source)
                .trimmingCharacters(in: .whitespacesAndNewlines))!
            #expect(cloneBytes * 10 <= gitBytes * 13, "clone pack \(cloneBytes) bytes, git pack-objects \(gitBytes)")
            try Shell.check("git -c protocol.version=\(version) clone -q '\(node.anonymousURL("acme/project"))' checkout", in: work)
            #expect(try Shell.check("git rev-parse HEAD", in: work + "/checkout") == Shell.check("git rev-parse main", in: source))
            #expect(FileManager.default.isExecutableFile(atPath: work + "/checkout/run.sh"))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: work + "/checkout/link-to-main")) == "src/main.txt")
        }
    }

    @Test func incrementalFetchSendsLittleAndShallowCloneWorks() async throws {
        let node = try NodeProcess()
        _ = try pushSample(to: node)
        let work = try Shell.temporaryDirectory("fetch")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let client = HTTPClient(baseURL: node.baseURL)
        let before = try await Self.bytesSent(client)
        try Shell.check("git clone -q '\(node.authenticatedURL("acme/project"))' a && git clone -q '\(node.authenticatedURL("acme/project"))' b", in: work)
        let cloneBytes = (try await Self.bytesSent(client) - before) / 2
        #expect(try await Self.counter(client, "guts_git_pack_entries_total{", labelled: "ofs-delta") > 0, "clones reuse the pushed deltas")
        let thinBefore = try await Self.counter(client, "guts_git_pack_entries_total{", labelled: "ref-delta")
        try Shell.check("echo one more >> a/docs/log.md && git -C a commit -qam 'one more' && git -C a push -q origin main", in: work)
        let beforeFetch = try await Self.bytesSent(client)
        for version in [0, 2] {
            try Shell.check("git -C b -c protocol.version=\(version) fetch -q origin && git -C b reset -q --hard origin/main && git -C b reset -q --hard HEAD~1", in: work)
        }
        let fetchBytes = (try await Self.bytesSent(client) - beforeFetch) / 2
        #expect(try Shell.check("git -C b rev-parse origin/main", in: work) == Shell.check("git -C a rev-parse main", in: work))
        #expect(fetchBytes * 20 < cloneBytes, "fetch sent \(fetchBytes) bytes, clone \(cloneBytes)")
        #expect(try await Self.counter(client, "guts_git_pack_entries_total{", labelled: "ref-delta") > thinBefore,
                "the changed file goes out as a delta against the version the client has")

        for version in [0, 2] {
            try Shell.check("git -c protocol.version=\(version) clone -q --depth 1 '\(node.anonymousURL("acme/project"))' shallow\(version)", in: work)
            #expect(try Shell.check("git -C shallow\(version) rev-list --count HEAD", in: work) == "1\n")
            try Shell.check("git -C shallow\(version) fsck --strict --no-dangling", in: work)
        }
        // A shallow clone fetches new history on top of its boundary.
        try Shell.check("echo again >> a/docs/log.md && git -C a commit -qam again && git -C a push -q origin main", in: work)
        for version in [0, 2] {
            try Shell.check("git -C shallow\(version) -c protocol.version=\(version) fetch -q origin && git -C shallow\(version) merge -q --ff-only origin/main", in: work)
            #expect(try Shell.check("git -C shallow\(version) rev-list --count HEAD", in: work) == "2\n")
            try Shell.check("git -C shallow\(version) fsck --strict --no-dangling", in: work)
            // Deepen relative to the boundary, to an absolute depth, then all the way.
            let git = "git -C shallow\(version) -c protocol.version=\(version)"
            try Shell.check("\(git) fetch -q --deepen=5", in: work)
            #expect(try Shell.check("git -C shallow\(version) rev-list --count HEAD", in: work) == "7\n")
            try Shell.check("\(git) fetch -q --depth=20", in: work)
            // History has merges, so git's own server is the reference for what depth 20 holds.
            try Shell.check("rm -rf reference && git clone -q --depth 20 file://\(work)/a reference", in: work)
            let count = Int(try Shell.check("git -C shallow\(version) rev-list --count HEAD", in: work).dropLast())!
            let expected = Int(try Shell.check("git -C reference rev-list --count HEAD", in: work).dropLast())!
            // Over v0 the client also wants the tags it follows, so the cut starts from them too.
            #expect(version == 2 ? count == expected : count >= expected, "protocol v\(version): \(count) commits, git's depth 20 has \(expected)")
            try Shell.check("\(git) fetch -q --unshallow", in: work)
            #expect(try Shell.check("git -C shallow\(version) rev-list --count HEAD", in: work) == Shell.check("git -C a rev-list --count main", in: work))
            #expect(!FileManager.default.fileExists(atPath: work + "/shallow\(version)/.git/shallow"))
            try Shell.check("git -C shallow\(version) fsck --strict --no-dangling", in: work)
        }
    }

    @Test func forcePushPolicyDeletesAndConcurrentPushes() async throws {
        let node = try NodeProcess()
        _ = try pushSample(to: node)
        let work = try Shell.temporaryDirectory("push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let url = node.authenticatedURL("acme/project")
        try Shell.check("git clone -q '\(url)' a && git clone -q '\(url)' b", in: work)
        try Shell.check("echo a >> a/new.txt && git -C a add -A && git -C a commit -qm a && git -C a push -q origin main", in: work)
        try Shell.check("echo b >> b/new.txt && git -C b add -A && git -C b commit -qm b", in: work)
        let rejected = try Shell.run("git -C b push origin main", in: work)
        #expect(rejected.status != 0)
        #expect(rejected.stderr.contains("rejected"))
        try Shell.check("git -C b push -q --force origin main", in: work)

        let client = HTTPClient(baseURL: node.baseURL)
        let patched = try await client.send("PATCH", "/api/repos/acme/project", token: NodeProcess.writeToken, json: ["allow_force_push": false])
        #expect(patched.status == 200)
        try Shell.check("git -C a fetch -q && git -C a reset -q --hard HEAD~1 && echo c > a/c.txt && git -C a add -A && git -C a commit -qm c", in: work)
        let denied = try Shell.run("git -C a push --force origin main", in: work)
        #expect(denied.status != 0)
        #expect(denied.stderr.contains("non-fast-forward"))
        #expect(try Shell.check("git ls-remote '\(url)' refs/heads/main", in: work).hasPrefix(try Shell.check("git -C b rev-parse main", in: work).trimmingCharacters(in: .newlines)))

        // While force pushes are off, a branch cannot be deleted either (or a delete and
        // re-create would stand in for a force push).
        let deletion = try Shell.run("git -C b push origin :feature/1", in: work)
        #expect(deletion.status != 0)
        #expect(deletion.stderr.contains("deletion prohibited"), "\(deletion.stderr)")
        #expect(try !Shell.check("git ls-remote '\(url)' refs/heads/feature/1", in: work).isEmpty)
        _ = try await client.send("PATCH", "/api/repos/acme/project", token: NodeProcess.writeToken, json: ["allow_force_push": true])
        try Shell.check("git -C b push -q origin :feature/1", in: work)
        #expect(try Shell.check("git ls-remote '\(url)' refs/heads/feature/1", in: work).isEmpty)

        try Shell.check("git -C a reset -q --hard origin/main && git -C b fetch -q && git -C b reset -q --hard origin/main", in: work)
        try Shell.check("echo x > a/x.txt && git -C a add -A && git -C a commit -qm x && echo y > b/y.txt && git -C b add -A && git -C b commit -qm y", in: work)
        async let first = Task.detached { try Shell.run("git -C a push origin main", in: work) }.value
        async let second = Task.detached { try Shell.run("git -C b push origin main", in: work) }.value
        let results = try await [first, second]
        #expect(results.filter { $0.status == 0 }.count == 1, "\(results.map(\.stderr))")
        let loser = results.first { $0.status != 0 }
        #expect(loser?.stderr.contains("rejected") == true || loser?.stderr.contains("failed") == true, "\(loser?.stderr ?? "")")
        let tip = try Shell.check("git ls-remote '\(url)' refs/heads/main", in: work).prefix(40)
        let winners = try ["a", "b"].map { try Shell.check("git -C \($0) rev-parse main", in: work).prefix(40) }
        #expect(winners.contains(tip))
    }

    @Test func pushesWithoutTokenOrWithACorruptPackAreRefused() async throws {
        let node = try NodeProcess()
        let source = try pushSample(to: node)
        let anonymous = try Shell.run("git push '\(node.anonymousURL("acme/other"))' main", in: source)
        #expect(anonymous.status != 0)
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await client.send("GET", "/api/repos/acme/other").status == 404)

        let refsBefore = try Shell.check("git ls-remote '\(node.anonymousURL("acme/project"))'", in: source)
        let main = String(refsBefore.split(separator: "\n").first { $0.hasSuffix("refs/heads/main") }!.prefix(40))
        let fake = String(repeating: "ab", count: 20)
        func command(_ line: String) -> Data {
            let payload = Array(line.utf8)
            return Data(String(format: "%04x", payload.count + 4).utf8) + Data(payload)
        }
        var body = command("\(main) \(fake) refs/heads/main\0report-status side-band-64k\n") + Data("0000".utf8)
        body += Data("PACK".utf8) + Data([0, 0, 0, 2, 0, 0, 0, 1, 0x95, 0x0a]) + Data("garbage that is not zlib".utf8)
        let reply = try await client.send("POST", "/acme/project.git/git-receive-pack", token: NodeProcess.writeToken, body: body,
                                          headers: ["Content-Type": "application/x-git-receive-pack-request"])
        #expect(reply.status == 200)
        #expect(reply.text.contains("unpack "))
        #expect(!reply.text.contains("unpack ok"))
        #expect(reply.text.contains("ng refs/heads/main"))
        #expect(try Shell.check("git ls-remote '\(node.anonymousURL("acme/project"))'", in: source) == refsBefore)

        let truncated = try Shell.temporaryDirectory("truncated")
        defer { try? FileManager.default.removeItem(atPath: truncated) }
        try Shell.check("git clone -q '\(node.authenticatedURL("acme/project"))' c && cd c && head -c 30000 /dev/urandom > r.bin && git add -A && git commit -qm r", in: truncated)
        let newCommit = try Shell.check("git -C c rev-parse HEAD", in: truncated).trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.check("printf '%s\\n' HEAD '^origin/main' | git -C c pack-objects -q --revs --stdout > full.pack && head -c $(( $(stat -c %s full.pack) - 100 )) full.pack > cut.pack", in: truncated)
        let cutPack = try #require(FileManager.default.contents(atPath: truncated + "/cut.pack"))
        let cutReply = try await client.send("POST", "/acme/project.git/git-receive-pack", token: NodeProcess.writeToken,
                                             body: command("\(main) \(newCommit) refs/heads/main\0report-status\n") + Data("0000".utf8) + cutPack,
                                             headers: ["Content-Type": "application/x-git-receive-pack-request"])
        #expect(cutReply.text.contains("unpack "))
        #expect(!cutReply.text.contains("unpack ok"))
        #expect(cutReply.text.contains("ng refs/heads/main"))
        #expect(try Shell.check("git ls-remote '\(node.anonymousURL("acme/project"))'", in: source) == refsBefore)
        #expect(try await client.send("GET", "/acme/project/raw/\(newCommit)/r.bin").status == 404, "no object of the cut pack was stored")

        // A whole pack that lacks the commit's tree: refused after unpacking, and rolled back.
        try Shell.check("git -C c rev-parse HEAD | git -C c pack-objects -q --stdout > commit-only.pack", in: truncated)
        let commitOnly = try #require(FileManager.default.contents(atPath: truncated + "/commit-only.pack"))
        let unconnected = try await client.send("POST", "/acme/project.git/git-receive-pack", token: NodeProcess.writeToken,
                                                body: command("\(main) \(newCommit) refs/heads/main\0report-status\n") + Data("0000".utf8) + commitOnly,
                                                headers: ["Content-Type": "application/x-git-receive-pack-request"])
        #expect(unconnected.text.contains("unpack ok"))
        #expect(unconnected.text.contains("ng refs/heads/main missing necessary objects"))
        #expect(try Shell.check("git ls-remote '\(node.anonymousURL("acme/project"))'", in: source) == refsBefore)
        #expect(try await client.send("GET", "/api/repos/acme/project/commits?ref=\(newCommit)").status == 404, "the unpacked commit was removed")
    }

    @Test func historySurvivesRestartAndSIGKILLDuringPushes() async throws {
        let node = try NodeProcess()
        let source = try pushSample(to: node)
        let expected = try SampleRepository.refs(in: source)
        #expect(node.stop() == 0)
        try node.restart()
        let work = try Shell.temporaryDirectory("restart")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("git clone -q --mirror '\(node.anonymousURL("acme/project"))' m.git", in: work)
        #expect(try SampleRepository.refs(in: work + "/m.git") == expected)

        try Shell.check("git clone -q '\(node.authenticatedURL("acme/project"))' loop", in: work)
        // Each push git reports done is logged; the loop ends at the first one refused
        // (the kill), so the log holds exactly the acknowledged pushes.
        let pusher = Task.detached {
            try Shell.run("""
                for i in $(seq 1 200); do
                    head -c 3000 /dev/urandom > f$i.bin; git add -A; git commit -qm "loop $i"
                    git push -q origin HEAD:refs/heads/loop-$((i % 5)) --force || exit 0
                    echo "$(git rev-parse HEAD) loop-$((i % 5))" >> ../acknowledged
                done
                """, in: work + "/loop")
        }
        try await Task.sleep(for: .seconds(4))
        node.kill()
        _ = try await pusher.value
        try node.restart()
        try Shell.check("rm -rf m2.git && git clone -q --mirror '\(node.anonymousURL("acme/project"))' m2.git && git -C m2.git fsck --strict --no-dangling", in: work)
        let refs = try Shell.check("git -C m2.git for-each-ref --format='%(refname)'", in: work)
        #expect(refs.contains("refs/heads/main"))
        let acknowledged = (try? String(contentsOfFile: work + "/acknowledged", encoding: .utf8)) ?? ""
        var lastPerBranch = [String: String]()
        for line in acknowledged.split(separator: "\n") {
            let parts = line.split(separator: " ")
            lastPerBranch[String(parts[1])] = String(parts[0])
        }
        #expect(!lastPerBranch.isEmpty, "some pushes were acknowledged before the kill")
        for (branch, commit) in lastPerBranch {
            // The branch holds the last acknowledged push, or a later one whose answer the
            // kill cut off (the loop's commits form one line, so a later one descends from it).
            let status = try Shell.run("git -C m2.git merge-base --is-ancestor \(commit) refs/heads/\(branch)", in: work).status
            #expect(status == 0, "\(branch) lost the acknowledged push \(commit)")
        }
    }

    /// Size of the one pack a fresh clone holds (git keeps a received pack as it came).
    static func packBytes(in repository: String) throws -> Int {
        let directory = repository + "/objects/pack"
        let packs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pack") }
        #expect(packs.count == 1)
        return try packs.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: directory + "/" + $1)[.size] as? Int) ?? 0) }
    }

    static func bytesSent(_ client: HTTPClient) async throws -> Int {
        try await counter(client, "guts_git_sent_bytes_total{", labelled: "upload-pack")
    }

    /// The sum of the node's `/metrics` series starting with `prefix` whose labels contain `label`.
    static func counter(_ client: HTTPClient, _ prefix: String, labelled label: String) async throws -> Int {
        let text = try await client.send("GET", "/metrics").text
        return text.split(separator: "\n").filter { $0.hasPrefix(prefix) && $0.contains(label) }
            .compactMap { Double($0.split(separator: " ").last!) }.map { Int($0) }.reduce(0, +)
    }
}
