import Foundation
import GutsGit
import GutsStorage
import GutsTestSupport
import Testing

/// `guts compact --repack` and `--prune-unreachable` on pushed history, and a push racing a prune.
@Suite(.serialized) struct PruneRepackTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    @discardableResult
    func guts(_ arguments: String, in directory: String, expect status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> Shell.Output {
        let output = try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: directory)
        #expect(output.status == status, "guts \(arguments): \(output.stdout)\(output.stderr)", sourceLocation: sourceLocation)
        return output
    }

    func json(_ output: Shell.Output) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aSchemaOneImportRepacksToWithinGitsPackSizeAndClonesStayClean() throws {
        let source = try Self.sample.get()
        let work = try Shell.temporaryDirectory("repack")
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            let storage = try Storage.open(dataDirectory: work + "/data/db")
            try storage.setSchemaVersion(1)
            storage.close()
        }
        try guts("migrate import '\(source)' --name acme/project --data-dir data --quiet", in: work)
        try guts("migrate up --data-dir data --quiet", in: work)
        let report = json(try guts("compact --repack --data-dir data --json", in: work))
        let repack = try #require(report["repack"] as? [String: Any])
        let before = try #require(repack["bytes_before"] as? Int)
        let after = try #require(repack["bytes_after"] as? Int)
        #expect(repack["deltified"] as? Int ?? 0 > 100)
        try Shell.check("git clone -q --mirror '\(source)' git.git && git -C git.git repack -adf -q", in: work)
        let gitPack = Int(try Shell.check("cat git.git/objects/pack/*.pack | wc -c", in: work).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(after * 10 <= gitPack * 13, "stored \(before) → \(after) bytes; git repack -adf: \(gitPack)")
        #expect(before > after * 2)
        // What the report says is what is stored.
        let stored = try StoredValues.edit(dataDirectory: work + "/data") { storage in
            var total = 0
            try storage.objects(try #require(try storage.repositories.get(name: "acme/project"))).forEachStoredValue { total += $0.bytes }
            return total
        }
        #expect(stored == after)
        #expect(json(try guts("compact --repack --data-dir data --json", in: work))["repack"].flatMap { ($0 as? [String: Any])?["deltified"] as? Int } == 0)

        let node = try NodeProcess(dataDirectory: work + "/data")
        try Shell.check("git clone -q --mirror '\(node.anonymousURL("acme/project"))' clone.git && git -C clone.git fsck --strict --no-dangling", in: work)
        #expect(try SampleRepository.refs(in: work + "/clone.git") == SampleRepository.refs(in: source))
        node.stop()
        try guts("fsck --data-dir data --quiet", in: work)
    }

    @Test func orphansOfAForcePushAndABranchDeleteGoOncePastTheGracePeriod() throws {
        let source = try Self.sample.get()
        let node = try NodeProcess()
        let work = try Shell.temporaryDirectory("prune")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let url = node.authenticatedURL("acme/project")
        try Shell.check("git push -q '\(url)' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        try Shell.check("git clone -q '\(url)' w", in: work)
        let w = work + "/w"
        // A branch with history of its own, then deleted; a branch rewritten by a force push.
        try Shell.check("""
            git checkout -q -b doomed
            for i in 1 2 3; do echo "doomed $i $RANDOM" > doomed-$i.txt; git add -A; git commit -qm "doomed $i"; done
            git push -q origin doomed
            git checkout -q -b rewritten main
            echo 'first version' > rewritten.txt && git add -A && git commit -qm 'first'
            git push -q origin rewritten
            git rev-parse doomed rewritten > ../orphan-tips
            git reset -q --hard main && echo 'second version' > rewritten.txt && git add -A && git commit -qm 'second'
            git push -q -f origin rewritten
            git push -q origin :doomed
            """, in: w)
        let tips = try String(contentsOfFile: work + "/orphan-tips", encoding: .utf8).split(separator: "\n").joined(separator: " ")
        let orphanList = try Shell.check("git rev-list --objects \(tips) --not --remotes=origin --tags | cut -c1-40", in: w)
        let orphans = orphanList.split(separator: "\n").compactMap { ObjectID(hex: String($0)) }
        #expect(orphans.count >= 8)
        let admin = "--node \(node.baseURL) --token \(NodeProcess.adminToken) --json"

        let first = try #require(json(try guts("compact --prune-unreachable 2s --cf objects \(admin)", in: work))["prune"] as? [String: Any])
        #expect(first["removed"] as? Int == 0, "nothing is older than the grace period yet")
        #expect(first["unreachable"] as? Int == orphans.count)
        sleep(3)
        let second = try #require(json(try guts("compact --prune-unreachable 2s --cf objects \(admin)", in: work))["prune"] as? [String: Any])
        #expect(second["removed"] as? Int == orphans.count)
        try guts("fsck --data-dir '\(node.dataDirectory)' --token \(NodeProcess.adminToken) --quiet", in: work)
        try Shell.check("git clone -q --mirror '\(node.anonymousURL("acme/project"))' clone.git && git -C clone.git fsck --strict --no-dangling", in: work)
        node.stop()
        let left = try StoredValues.edit(dataDirectory: node.dataDirectory) { storage in
            let objects = storage.objects(try #require(try storage.repositories.get(name: "acme/project")))
            return try orphans.filter { try objects.contains($0) }
        }
        #expect(left.isEmpty)
    }

    /// Each round orphans a blob, then pushes a commit holding the same blob while a
    /// prune with no grace period runs: git sends the blob, the node already has it, and
    /// the prune may delete it under the push. The push must then be refused, never leave
    /// `main` pointing at history with a hole.
    @Test func aPushRacingAPruneNeverLeavesARefOnAMissingObject() throws {
        let node = try NodeProcess()
        let work = try Shell.temporaryDirectory("prune-race")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let url = node.authenticatedURL("acme/race")
        try Shell.check("git init -q -b main w && cd w && echo base > base.txt && git add -A && git commit -qm base && git push -q '\(url)' main && git remote add origin '\(url)'", in: work)
        let w = work + "/w"
        var refused = 0
        for round in 0..<100 {
            try Shell.check("""
                git checkout -q -b tmp main && printf 'round \(round) %s\\n' "$(date +%s%N)" > shared.txt && git add -A && git commit -qm tmp
                git push -q origin tmp && git push -q origin :tmp
                git checkout -q main && git checkout -q tmp -- shared.txt && git commit -qm 'round \(round)' && git branch -q -D tmp
                """, in: w)
            let prune = Process()
            prune.executableURL = URL(fileURLWithPath: NodeProcess.executable)
            prune.arguments = ["compact", "--prune-unreachable", "0", "--cf", "metadata", "--repo", "acme/race", "--node", node.baseURL, "--token", NodeProcess.adminToken, "--quiet"]
            try prune.run()
            let push = try Shell.run("git push -q origin main", in: w)
            prune.waitUntilExit()
            #expect(prune.terminationStatus == 0)
            if push.status != 0 {
                refused += 1
                #expect(push.stderr.contains("retry") || push.stderr.contains("pruned"), "\(push.stderr)")
                try Shell.check("git fetch -q origin && git reset -q --hard origin/main", in: w)
            }
            let fsck = try Shell.run("exec '\(NodeProcess.executable)' fsck --repo acme/race --node \(node.baseURL) --token \(NodeProcess.adminToken) --quiet", in: work)
            #expect(fsck.status == 0, "round \(round): \(fsck.stderr)")
            if fsck.status != 0 { break }
        }
        print("prune race: \(refused) of 100 pushes refused for a concurrent prune, the rest landed whole")
    }
}
