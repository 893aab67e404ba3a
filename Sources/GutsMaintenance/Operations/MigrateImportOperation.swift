import Foundation

/// `guts migrate import`: all refs and objects of a git repository, with its Git LFS objects.
///
/// Through a cluster node the import is placed like a push: under the repository's push
/// turn, its objects reach a majority of the replicas durably and its refs are committed
/// in one etcd transaction before the local refs move (`AdminCluster.writeRefs`).
public struct MigrateImportOperation: AdminOperation, Equatable {
    public static let job = "migrate"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/migrate/import")

    /// A path or any URL git can fetch.
    public var source: String
    /// The target repository, owner/name (created when missing).
    public var name: String

    public init(source: String, name: String) {
        self.source = source
        self.name = name
    }

    public init(query: AdminQuery) throws {
        self.init(source: try query.required("source"), name: try query.required("name"))
    }

    public var query: [String: String] { ["source": source, "name": name] }

    public func run(in context: AdminContext) async throws -> GitMigrator.Report {
        let storage = try context.storage(creatingIfMissing: true)
        try FileManager.default.createDirectory(atPath: context.scratchDirectory, withIntermediateDirectories: true)
        var migrator = GitMigrator(storage: storage, lfs: context.lfs, progress: context.progress)
        migrator.runBlocking = { body in try await context.perform(background: false, body) }
        guard let cluster = context.cluster else {
            return try await migrator.importRepository(from: source, as: name, scratch: context.scratchDirectory)
        }
        return try await cluster.writeRefs(of: name) { [self, migrator] commit in
            var placed = migrator
            placed.beforeRefTransaction = commit
            return try await placed.importRepository(from: source, as: name, scratch: context.scratchDirectory)
        }
    }
}
