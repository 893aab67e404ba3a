import Foundation
import GutsTestSupport
import Synchronization
import Testing

/// `guts backup` taken while pushes go on, restored into a new data dir and served.
@Suite(.serialized) struct BackupTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    func guts(_ arguments: String, in directory: String) throws -> Shell.Output {
        try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: directory)
    }

    /// Pushes one new commit to `main` after another until told to stop, remembering each
    /// acknowledged one with the time git returned.
    final class PushLoop: Sendable {
        let acknowledged = Mutex<[(id: String, at: Date)]>([])
        let stopped = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])

        func run(in work: String) {
            var round = 0
            while !stopped.load(ordering: .relaxed) {
                round += 1
                do {
                    let id = try Shell.check(
                        "echo 'push \(round)' >> docs/loop.md && git add -A && git commit -qm 'loop \(round)' && git push -q origin HEAD:main && git rev-parse HEAD",
                        in: work
                    ).trimmingCharacters(in: .whitespacesAndNewlines)
                    let now = Date()
                    acknowledged.withLock { $0.append((id, now)) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
    }

    @Test func aBackupDuringPushesRestoresEveryAcknowledgedPushAndVerifyFindsDamage() throws {
        let source = try Self.sample.get()
        let node = try NodeProcess()
        let work = try Shell.temporaryDirectory("backup")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("git push -q '\(node.authenticatedURL("acme/project"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        try Shell.check("git clone -q '\(node.authenticatedURL("acme/project"))' pusher", in: work)
        // Another store of the data dir (an LFS object store, say) goes into the backup too.
        try FileManager.default.createDirectory(atPath: node.dataDirectory + "/extra/ab", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: node.dataDirectory + "/extra/ab/object", contents: Data("large file".utf8))

        let loop = PushLoop()
        let thread = Thread { loop.run(in: work + "/pusher") }
        thread.start()
        while loop.acknowledged.withLock({ $0.count }) < 3 { usleep(50_000) }
        let backupStart = Date()
        let created = try guts("backup create --to '\(work)/backups' --keep 2 --data-dir '\(node.dataDirectory)' --token \(NodeProcess.adminToken) --json", in: work)
        #expect(created.status == 0, "\(created.stderr)")
        let backupEnd = Date()
        while loop.acknowledged.withLock({ $0.last?.at ?? .distantPast }) < backupEnd { usleep(50_000) }
        loop.stopped.store(true, ordering: .relaxed)
        while thread.isExecuting { usleep(20_000) }
        #expect(loop.failures.withLock { $0 }.isEmpty, "\(loop.failures.withLock { $0 })")
        let before = loop.acknowledged.withLock { $0.filter { $0.at < backupStart } }
        #expect(before.count >= 3)

        // Two more backups: --keep 2 leaves the newest two, sharing unchanged files.
        for _ in 0..<2 { #expect(try guts("backup create --to '\(work)/backups' --keep 2 --data-dir '\(node.dataDirectory)' --token \(NodeProcess.adminToken) --quiet", in: work).status == 0) }
        let listed = try guts("backup list --from '\(work)/backups' --json", in: work)
        let ids = ((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]) ?? []).compactMap { $0["id"] as? Int }
        #expect(ids == [2, 3])
        node.stop()

        let restored = work + "/restored"
        #expect(try guts("backup restore --from '\(work)/backups' --id 2 --data-dir '\(restored)'", in: work).status == 0)
        #expect(try guts("backup restore --from '\(work)/backups' --data-dir '\(restored)'", in: work).status == 64, "a non-empty target is refused")
        #expect(FileManager.default.contents(atPath: restored + "/extra/ab/object") == Data("large file".utf8))
        let served = try NodeProcess(dataDirectory: restored)
        try Shell.check("git clone -q --mirror '\(served.anonymousURL("acme/project"))' clone.git && git -C clone.git fsck --strict --no-dangling", in: work)
        for push in before {
            try Shell.check("git -C clone.git merge-base --is-ancestor \(push.id) refs/heads/main", in: work)
        }
        served.stop()

        #expect(try guts("backup verify --from '\(work)/backups'", in: work).status == 0)
        // Damage a table file the newest backup uses (its meta file lists them).
        let meta = try String(contentsOfFile: work + "/backups/rocksdb/meta/3", encoding: .utf8)
        let table = try #require(meta.split(separator: "\n").compactMap { $0.split(separator: " ").first }.first { $0.hasSuffix(".sst") }.map(String.init))
        let handle = try #require(FileHandle(forUpdatingAtPath: work + "/backups/rocksdb/" + table))
        try handle.seek(toOffset: UInt64(size(work + "/backups/rocksdb/" + table) / 3))
        let original = try #require(try handle.read(upToCount: 16))
        try handle.seek(toOffset: UInt64(size(work + "/backups/rocksdb/" + table) / 3))
        try handle.write(contentsOf: Data(original.map { $0 ^ 0xFF }))
        try handle.close()
        let verify = try guts("backup verify --from '\(work)/backups'", in: work)
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stdout.contains("problems"))
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
