@testable import GutsAdmin
import GutsMaintenance
import GutsStorage
import Testing

/// The admin contract: what the CLI encodes is what the node decodes.
@Suite struct AdminContractTests {
    /// Every served operation with the fields set that its query carries.
    static let samples: [any AdminOperation] = [
        CacheStatsOperation(),
        CompactOperation(families: [.objects, .refs], maxDuration: 600, pruneUnreachable: 0, repack: true, repositories: ["a/b", "c/d"], bytesPerSecond: 4096),
        CompactOperation(),
        FsckOperation(repositories: ["team/x"], maxDuration: 1.5, bytesPerSecond: 1_048_576),
        FsckOperation(),
        try! BackupOperation(directory: "/srv/backups", keep: 7),
        ArchiveWarmOperation(repositories: ["a/b"], tags: 5),
        ArchivePruneOperation(maxBytes: 2 << 30, olderThan: 604_800.0),
        ArchivePruneOperation(olderThan: 60),
        MigrateImportOperation(source: "https://example.com/x y.git?a=1&b", name: "team/x"),
        MigrateExportOperation(name: "team/x", path: "/tmp/out dir"),
        SchemaStatusOperation(),
        SchemaChangeOperation(.up, to: 3, dryRun: true),
        SchemaChangeOperation(.down),
    ]

    @Test(arguments: samples.indices)
    func eachOperationDecodesFromTheQueryItEncodes(index: Int) throws {
        #expect(try Self.roundTrips(Self.samples[index]))
    }

    static func decodesToItself<Operation: AdminOperation & Equatable>(_ operation: Operation) throws -> Bool {
        try Operation(query: AdminQuery(operation.query)) == operation
    }

    static func roundTrips(_ operation: any AdminOperation) throws -> Bool {
        guard let equatable = operation as? any (AdminOperation & Equatable) else { return false }
        return try decodesToItself(equatable)
    }

    @Test func servedOperationsHaveDistinctRoutesUnderAdmin() {
        let routes = AdminOperations.served.compactMap { $0.route }
        #expect(routes.count == AdminOperations.served.count, "every served operation has a route")
        #expect(Set(routes).count == routes.count)
        #expect(routes.allSatisfy { $0.path.hasPrefix("/admin/") })
        #expect(SchemaChangeOperation.route == nil, "schema changes need the node stopped")
    }

    @Test func badValuesAreUsageErrorsNotDefaults() {
        #expect(throws: AdminError.usage("bad rate 'fast'")) { try FsckOperation(query: AdminQuery(["rate": "fast"])) }
        #expect(throws: AdminError.usage("bad max-duration '-1'")) { try CompactOperation(query: AdminQuery(["max-duration": "-1"])) }
        #expect(throws: AdminError.usage("unknown column family blobs")) { try CompactOperation(query: AdminQuery(["cf": "objects,blobs"])) }
        #expect(throws: AdminError.usage("name is required")) { try MigrateImportOperation(query: AdminQuery(["source": "/x"])) }
        #expect(throws: AdminError.usage("to must be an absolute path")) { try BackupOperation(query: AdminQuery(["to": "relative/dir"])) }
        #expect(throws: AdminError.usage("bad keep '2.5'")) { try BackupOperation(query: AdminQuery(["to": "/b", "keep": "2.5"])) }
    }

    @Test func queryStringsAreSortedAndEscaped() {
        #expect(NodeClient.queryString([:]) == "")
        #expect(NodeClient.queryString(["b": "1", "a": "x y&z=1+2"]) == "?a=x%20y%26z%3D1%2B2&b=1")
    }

    @Test func schemaChangesRefuseARunningNode() async throws {
        let storage = Storage.inMemory()
        defer { storage.close() }
        let context = AdminContext(
            node: storage, dataDirectory: "/nonexistent", lfs: LFSObjectStore(dataDirectory: "/nonexistent"),
            archives: ArchiveCache(dataDirectory: "/nonexistent"), archiveService: ArchiveService(storage: storage, cache: ArchiveCache(dataDirectory: "/nonexistent")),
            scratchDirectory: "/nonexistent", nodeCaches: { [] })
        await #expect(throws: AdminError.needsStoppedNode("migrate up")) { try await SchemaChangeOperation(.up).run(in: context) }
    }
}
