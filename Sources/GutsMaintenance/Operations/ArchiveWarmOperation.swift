/// `guts archive warm`: pre-generate archives of default branches and the newest tags.
public struct ArchiveWarmOperation: AdminOperation, Equatable {
    public static let job = "archive-warm"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/archive/warm")

    /// Repositories to warm; empty for all.
    public var repositories: [String]
    /// How many of the newest tags to include.
    public var tags: Int

    public init(repositories: [String] = [], tags: Int = 3) {
        self.repositories = repositories
        self.tags = tags
    }

    public init(query: AdminQuery) throws {
        self.init(repositories: query.list("repos"), tags: try query.int("tags") ?? 3)
    }

    public var query: [String: String] {
        var query = ["tags": String(tags)]
        query.set("repos", list: repositories)
        return query
    }

    public func run(in context: AdminContext) async throws -> ArchiveService.WarmReport {
        try await context.archiveService().warm(names: repositories, tags: tags)
    }
}
