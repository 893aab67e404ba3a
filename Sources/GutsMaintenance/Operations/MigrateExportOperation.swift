/// `guts migrate export`: a repository as a new bare git repository, LFS objects under lfs/objects.
public struct MigrateExportOperation: AdminOperation, Equatable {
    public static let job = "migrate"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/migrate/export")

    public var name: String
    /// Where to create the bare repository.
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    public init(query: AdminQuery) throws {
        self.init(name: try query.required("name"), path: try query.required("path"))
    }

    public var query: [String: String] { ["name": name, "path": path] }

    public func run(in context: AdminContext) async throws -> GitMigrator.Report {
        let storage = try context.storage()
        var migrator = GitMigrator(storage: storage, lfs: context.lfs, progress: context.progress)
        migrator.runBlocking = { body in try await context.perform(background: false, body) }
        return try await migrator.exportRepository(name, to: path)
    }
}
