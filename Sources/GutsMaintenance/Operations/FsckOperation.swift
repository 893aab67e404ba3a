/// `guts fsck`: re-verify stored objects, refs, the commit graph and RocksDB checksums.
public struct FsckOperation: AdminOperation, Equatable {
    public static let job = "fsck"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/fsck")

    /// Repositories to check; empty for all.
    public var repositories: [String]
    public var maxDuration: Double?
    /// Stored bytes read per second; nil for the context's default.
    public var bytesPerSecond: Double?

    public init(repositories: [String] = [], maxDuration: Double? = nil, bytesPerSecond: Double? = nil) {
        self.repositories = repositories
        self.maxDuration = maxDuration
        self.bytesPerSecond = bytesPerSecond
    }

    public init(query: AdminQuery) throws {
        self.init(repositories: query.list("repos"), maxDuration: try query.double("max-duration"), bytesPerSecond: try query.double("rate"))
    }

    public var query: [String: String] {
        var query: [String: String] = [:]
        query.set("repos", list: repositories)
        query.set("max-duration", maxDuration)
        query.set("rate", bytesPerSecond)
        return query
    }

    public func run(in context: AdminContext) async throws -> FsckReport {
        var fsck = Fsck(storage: try context.storage())
        fsck.repositories = repositories
        fsck.maxDuration = maxDuration
        fsck.bytesPerSecond = bytesPerSecond ?? context.defaultBytesPerSecond
        fsck.progress = context.progress
        let history = JobHistory(dataDirectory: context.dataDirectory)
        return try await context.perform { [fsck] in try fsck.run(history: history) }
    }
}
