import Foundation

/// `guts migrate import`: all refs and objects of a git repository, with its Git LFS objects.
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
        return try await context.perform(background: false) { [self] in
            try GitMigrator(storage: storage, lfs: context.lfs, progress: context.progress)
                .importRepository(from: source, as: name, scratch: context.scratchDirectory)
        }
    }
}
