/// `guts archive prune`: delete cached archives to stay within bounds.
public struct ArchivePruneOperation: AdminOperation, Equatable {
    public static let job = "archive-prune"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/archive/prune")

    public var maxBytes: Int?
    public var olderThan: Double?

    public init(maxBytes: Int? = nil, olderThan: Double? = nil) {
        self.maxBytes = maxBytes
        self.olderThan = olderThan
    }

    public init(query: AdminQuery) throws {
        self.init(maxBytes: try query.int("max-bytes"), olderThan: try query.double("older-than"))
    }

    public var query: [String: String] {
        var query: [String: String] = [:]
        query.set("max-bytes", maxBytes)
        query.set("older-than", olderThan)
        return query
    }

    public func run(in context: AdminContext) async throws -> ArchiveCache.PruneReport {
        try await context.perform(background: false) { [self] in
            try context.archives.prune(maxBytes: maxBytes, olderThan: olderThan)
        }
    }
}
