import Foundation
import GutsTestSupport
import Testing

/// `guts compact`, `cache-stats`, `archive` and `migrate` run as processes, offline on a
/// data dir and through a running node.
@Suite(.serialized) struct AdminCommandTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    /// Runs the built `guts` with `arguments` in `directory`.
    @discardableResult
    func guts(_ arguments: String, in directory: String, expect status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> Shell.Output {
        let output = try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: directory)
        #expect(output.status == status, "guts \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        return output
    }

    func json(_ output: Shell.Output) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func everyCommandWorksOfflineOnADataDir() throws {
        let source = try Self.sample.get()
        let work = try Shell.temporaryDirectory("admin-offline")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let data = "--data-dir data --quiet"

        try guts("migrate import '\(source)' --name acme/project \(data)", in: work)
        let compact = json(try guts("compact --data-dir data --json", in: work))
        #expect((compact["families"] as? [String]) == ["objects", "refs", "metadata"])
        #expect(compact["completed"] as? Bool == true)
        let stats = try guts("cache-stats --data-dir data --format prom", in: work)
        #expect(stats.stdout.contains("guts_cache_hits_total{cache=\"block-cache\"}"))

        try guts("archive get acme/project main --format tar -o ours.tar \(data)", in: work)
        try Shell.check("git -C '\(source)' archive --format=tar --prefix=project-main/ main > git.tar && cmp ours.tar git.tar", in: work)
        let warm = json(try guts("archive warm --data-dir data --json --tags 2", in: work))
        #expect(warm["archives"] as? Int == 6)
        let prune = json(try guts("archive prune --data-dir data --json --max-bytes 0", in: work))
        #expect(prune["remaining_files"] as? Int == 0)

        #expect(try guts("migrate status --data-dir data", in: work).stdout.hasPrefix("schema v3"))
        try guts("migrate up --dry-run --data-dir data", in: work)
        try guts("migrate export acme/project export.git \(data)", in: work)
        try Shell.check("git -C export.git fsck --strict --no-dangling", in: work)
        #expect(try SampleRepository.refs(in: work + "/export.git") == SampleRepository.refs(in: source))

        try guts("compact", in: work, expect: 64)
        try guts("compact --data-dir data --cf nonsense", in: work, expect: 64)
        try guts("compact --data-dir empty-dir", in: work, expect: 64)
    }

    @Test func overlappingRunsOfOneJobRefuseTheSecondWith75() throws {
        let source = try Self.sample.get()
        let work = try Shell.temporaryDirectory("admin-overlap")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try guts("migrate import '\(source)' --name acme/project --data-dir data --quiet", in: work)
        let first = Process()
        first.executableURL = URL(fileURLWithPath: NodeProcess.executable)
        first.arguments = ["cache-stats", "--data-dir", work + "/data", "--interval", "1s", "--count", "3"]
        first.standardOutput = FileHandle.nullDevice
        try first.run()
        defer { first.waitUntilExit() }
        let lockFile = work + "/data/locks/cache-stats.lock"
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, (try? String(contentsOfFile: lockFile, encoding: .utf8)) != "\(first.processIdentifier)\n" { usleep(20_000) }
        let second = try guts("cache-stats --data-dir data", in: work, expect: 75)
        #expect(second.stderr.contains("another cache-stats job is running"))
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let deltas = try guts("cache-stats --data-dir data --format json --interval 100ms --count 2", in: work)
        #expect(deltas.stdout.split(separator: "\n").count == 2)
    }

    @Test func commandsGoThroughARunningNode() async throws {
        let source = try Self.sample.get()
        let node = try NodeProcess()
        let work = try Shell.temporaryDirectory("admin-online")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let data = "--data-dir '\(node.dataDirectory)' --token \(NodeProcess.adminToken)"

        // The node holds RocksDB; commands find it through node.json.
        let imported = json(try guts("migrate import '\(source)' --name acme/project \(data) --json", in: work))
        #expect(imported["refs"] as? Int ?? 0 > 10)
        try Shell.check("git clone -q --mirror '\(node.anonymousURL("acme/project"))' clone.git", in: work)
        #expect(try SampleRepository.refs(in: work + "/clone.git") == SampleRepository.refs(in: source))

        let compact = json(try guts("compact \(data) --json --cf objects --max-duration 1m", in: work))
        #expect((compact["families"] as? [String]) == ["objects"])
        try guts("compact --node \(node.baseURL) --token wrong", in: work, expect: 1)
        try guts("cache-stats --node \(node.baseURL)", in: work, expect: 1)
        let stats = try guts("cache-stats --node \(node.baseURL) --token \(NodeProcess.adminToken) --format json", in: work)
        #expect(stats.stdout.contains("\"name\":\"objects\""))
        let reuse = (json(stats)["caches"] as? [[String: Any]])?.first { $0["name"] as? String == "pack-reuse" }
        #expect(reuse?["misses"] as? Int == 1, "one clone started one pack generation")
        #expect(try guts("migrate status \(data)", in: work).stdout.hasPrefix("schema v3"))
        try guts("migrate up \(data)", in: work, expect: 75)

        // Archive routes.
        let client = HTTPClient(baseURL: node.baseURL)
        let main = try await client.send("GET", "/api/repos/acme/project/tarball/main")
        #expect(main.status == 200)
        #expect(main.header("Content-Disposition") == "attachment; filename=\"project-main.tar.gz\"")
        #expect(main.header("Cache-Control")?.contains("must-revalidate") == true)
        #expect(FileManager.default.createFile(atPath: work + "/main.tar.gz", contents: main.body))
        try Shell.check("gzip -dc main.tar.gz > ours.tar && git -C '\(source)' archive --format=tar --prefix=project-main/ main | cmp - ours.tar", in: work)
        let etag = try #require(main.header("ETag"))
        #expect(try await client.send("GET", "/api/repos/acme/project/tarball/main", headers: ["If-None-Match": etag]).status == 304)

        let commit = try Shell.check("git rev-parse main", in: source).trimmingCharacters(in: .whitespacesAndNewlines)
        let pinned = try await client.send("GET", "/acme/project/archive/\(commit).zip")
        #expect(pinned.status == 200)
        #expect(pinned.header("Content-Type") == "application/zip")
        #expect(pinned.header("Cache-Control")?.contains("immutable") == true)
        #expect(try await client.send("GET", "/acme/project/archive/no-such-branch.zip").status == 404)

        // Concurrent identical requests share one build and get identical bytes.
        let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<6 { group.addTask { try await client.send("GET", "/api/repos/acme/project/zipball/v1.9").body } }
            return try await group.reduce(into: [Data]()) { $0.append($1) }
        }
        #expect(Set(bodies).count == 1)

        let warm = json(try guts("archive warm --node \(node.baseURL) --token \(NodeProcess.adminToken) --json --repo acme/project", in: work))
        #expect(warm["archives"] as? Int == 8)
        try guts("archive get acme/project v1.1 --format zip -o got.zip \(data) --quiet", in: work)
        try Shell.check("unzip -tq got.zip", in: work)
        let prune = json(try guts("archive prune --node \(node.baseURL) --token \(NodeProcess.adminToken) --json --max-bytes 0", in: work))
        #expect(prune["remaining_bytes"] as? Int == 0)

        try guts("migrate export acme/project export.git \(data) --quiet", in: work)
        try Shell.check("git -C export.git fsck --strict --no-dangling", in: work)
        #expect(try SampleRepository.refs(in: work + "/export.git") == SampleRepository.refs(in: source))

        // A job already holding its lock makes the next run exit 75 at once.
        try FileManager.default.createDirectory(atPath: node.dataDirectory + "/locks", withIntermediateDirectories: true)
        let descriptor = open(node.dataDirectory + "/locks/compact.lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }
        try guts("compact \(data)", in: work, expect: 75)
    }
}
