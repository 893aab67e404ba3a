import Foundation
import GutsTestSupport
import GutsAdmin
import GutsMaintenance
import GutsGit
import GutsStorage
import Testing

@Suite struct StorageAdminTests {
    @Test func importExportRoundTripKeepsRefsAndPassesFsck() async throws {
        let fixture = try await ArchiveFixture()
        defer { fixture.cleanup() }
        let exported = fixture.directory + "/export.git"
        let report = try await GitMigrator(storage: fixture.storage, lfs: fixture.lfs).exportRepository("test/archive", to: exported)
        #expect(report.refs == 2)
        try Shell.check("git -C export.git fsck --strict --no-dangling", in: fixture.directory)
        let refs = { (path: String) in try Shell.check("git -C \(path) for-each-ref --format='%(objectname) %(refname)'", in: fixture.directory) }
        #expect(try refs("export.git") == refs("src"))
        #expect(try Shell.check("git -C export.git symbolic-ref HEAD", in: fixture.directory) == "refs/heads/main\n")
    }

    @Test func compactionReportsEveryFamilyAndReclaimsDeletedData() throws {
        let directory = try Shell.temporaryDirectory("compact")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try Storage.open(dataDirectory: directory + "/db")
        defer { storage.close() }
        let repository = try storage.repositories.create(name: "t/compact")
        let objects = storage.objects(repository)
        var ids: [ObjectID] = []
        for round in 0..<4 {
            ids += try objects.putBatch((0..<200).map { (.blob, Array("round \(round) blob \($0) ".utf8) + [UInt8](repeating: UInt8($0 % 251), count: 2000)) })
            try storage.rocksDB!.flush()
        }
        try objects.delete(Array(ids.prefix(600)))
        try storage.rocksDB!.flush()
        let report = try Compactor(storage: storage).run(families: [])
        #expect(report.families == ["objects", "refs", "metadata"])
        #expect(report.completed)
        let before = try #require(report.before.first { $0.family == "objects" })
        let after = try #require(report.after.first { $0.family == "objects" })
        #expect(before.sstFiles >= 1)
        #expect(after.sstFiles <= before.sstFiles && after.sstFiles <= 1)
        #expect(report.bytesReclaimed > 0)
        #expect(after.bytesPerLevel.reduce(0, +) == after.sstBytes)
        #expect(try objects.count() == 200)
        let limited = try Compactor(storage: storage).run(families: [.objects], maxDuration: 0)
        #expect(limited.rangesCompacted == 1)
        #expect(Compactor(storage: storage).writeStall() == nil)
        var stalled = Compactor(storage: storage)
        stalled.stallProbe = { "RocksDB writes are stopped (objects)" }
        #expect(throws: AdminError.writeStalled("RocksDB writes are stopped (objects)")) { try stalled.run(families: []) }
    }

    @Test func schemaUpThenDownRestoresTheStoreAndAFailedStepLeavesItUntouched() throws {
        let directory = try Shell.temporaryDirectory("schema")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let storage = try Storage.open(dataDirectory: directory + "/db")
            try storage.repositories.create(name: "t/schema")
            try storage.setSchemaVersion(0)
            storage.close()
        }
        let marker = Array("migrated".utf8)
        let good = SchemaMigration(from: 0, summary: "add marker") { storage in
            try storage.store.put(marker, [1], in: .metadata)
        }
        let bad = SchemaMigration(from: 0, summary: "fails midway") { storage in
            try storage.store.put(marker, [1], in: .metadata)
            throw AdminError.failed("boom")
        }
        func state() throws -> (version: Int, marker: Bool, repositories: Int) {
            let storage = try Storage.open(dataDirectory: directory + "/db")
            defer { storage.close() }
            return (storage.schemaVersion, try storage.store.get(marker, in: .metadata) != nil, try storage.repositories.list(limit: 10).count)
        }

        let dry = try SchemaMigrator(dataDirectory: directory, migrations: [good]).up(dryRun: true)
        #expect(dry.steps.count == 1 && dry.to == 1)
        #expect(try state() == (0, false, 1))

        #expect(throws: AdminError.self) { try SchemaMigrator(dataDirectory: directory, migrations: [bad]).up() }
        #expect(try state() == (0, false, 1))

        let up = try SchemaMigrator(dataDirectory: directory, migrations: [good]).up()
        #expect(up.from == 0 && up.to == 1)
        #expect(try state() == (1, true, 1))
        #expect(try SchemaMigrator(dataDirectory: directory, migrations: [good]).status().checkpoints == [0])

        _ = try SchemaMigrator(dataDirectory: directory, migrations: [good]).down()
        #expect(try state() == (0, false, 1))
    }

    @Test func schemaOneStoresMoveUpToDeltasAndACommitGraph() throws {
        let directory = try Shell.temporaryDirectory("schema-deltas")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var chain: [ObjectID] = []
        do {
            let storage = try Storage.open(dataDirectory: directory + "/db")
            let repository = try storage.repositories.create(name: "t/old")
            let objects = storage.objects(repository)
            let tree = try objects.put(.tree, body: [])
            for index in 0..<3 {
                let parents = chain.last.map { "parent \($0.hex)\n" } ?? ""
                let body = "tree \(tree.hex)\n\(parents)author A <a@b> \(1_700_000_000 + index) +0000\ncommitter A <a@b> \(1_700_000_000 + index) +0000\n\nc\(index)\n"
                chain.append(try objects.put(.commit, body: Array(body.utf8)))
            }
            #expect(try storage.commitGraph(repository).get(chain[0]) == nil)
            try storage.setSchemaVersion(1)
            storage.close()
        }
        let migrator = SchemaMigrator(dataDirectory: directory)
        #expect(try migrator.status().pending == ["v1→v2: objects may be stored as deltas", "v2→v3: commit graph for every repository"])
        #expect(try migrator.up().to == Storage.currentSchemaVersion)
        let storage = try Storage.open(dataDirectory: directory + "/db")
        defer { storage.close() }
        let repository = try #require(try storage.repositories.get(name: "t/old"))
        #expect(storage.objects(repository).storesDeltas)
        let graph = storage.commitGraph(repository)
        #expect(try chain.map { try graph.get($0)?.generation } == [1, 2, 3])
        #expect(try graph.get(chain[2])?.parents == [chain[1]])
        #expect(try graph.get(chain[1])?.time == 1_700_000_001)
    }

    @Test func secondJobLockIsRefusedAndFreedOnRelease() throws {
        let directory = try Shell.temporaryDirectory("lock")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var first: JobLock? = try JobLock(job: "compact", directory: directory)
        #expect(throws: AdminError.jobBusy(job: "compact", lockPath: directory + "/compact.lock")) {
            try JobLock(job: "compact", directory: directory)
        }
        #expect(first != nil)
        first = nil
        _ = try JobLock(job: "compact", directory: directory)
    }

    @Test func durationsAndSizes() throws {
        #expect(try AdminValueParser.seconds("90") == 90)
        #expect(try AdminValueParser.seconds("15m") == 900)
        #expect(try AdminValueParser.seconds("250ms") == 0.25)
        #expect(try AdminValueParser.seconds("7d") == 604_800)
        #expect(try AdminValueParser.bytes("2G") == 2 << 30)
        #expect(try AdminValueParser.bytes("512k") == 512 << 10)
        #expect(throws: AdminError.self) { try AdminValueParser.seconds("soon") }
    }

    @Test func exitCodesFollowSysexits() {
        #expect(AdminError.usage("x").exitCode == 64)
        #expect(AdminError.jobBusy(job: "compact", lockPath: "l").exitCode == 75)
        #expect(AdminError.writeStalled("stopped").exitCode == 75)
        #expect(AdminError.nodeRefused(status: 409, message: "busy").exitCode == 75)
        #expect(AdminError.nodeRefused(status: 400, message: "bad").exitCode == 64)
        #expect(AdminError.nodeRefused(status: 403, message: "token").exitCode == 1)
        #expect(AdminError.failed("x").exitCode == 1)
    }
}
