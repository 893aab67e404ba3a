/// One administration operation, defined once for both of its runners: the CLI, which
/// runs it on a data directory or sends it to the node that holds one, and the node's
/// `/admin` controller, which decodes it from the same route and query and runs it on
/// its own storage. Either way `run(in:)` does the work, so the offline and online
/// results cannot drift apart.
///
/// The request travels as query parameters (`query` out, `init(query:)` back in), the
/// report as snake_case JSON.
public protocol AdminOperation: Sendable {
    associatedtype Report: Codable & Sendable

    /// The job: the CLI's lock file, the node's one-at-a-time guard, and the
    /// `JobHistory` record when `JobHistory.jobs` lists it.
    static var job: String { get }
    /// Where the node serves it; nil for operations that need the node stopped.
    static var route: AdminRoute? { get }
    /// Whether runs exclude each other (false for reads that may overlap).
    static var isExclusive: Bool { get }

    var query: [String: String] { get }
    init(query: AdminQuery) throws

    func run(in context: AdminContext) async throws -> Report
}

extension AdminOperation {
    public static var isExclusive: Bool { true }
}

/// Every operation the node serves under `/admin`, for its controller to register.
public enum AdminOperations {
    public static let served: [any AdminOperation.Type] = [
        CacheStatsOperation.self, CompactOperation.self, FsckOperation.self, BackupOperation.self,
        ArchiveWarmOperation.self, ArchivePruneOperation.self,
        MigrateImportOperation.self, MigrateExportOperation.self, SchemaStatusOperation.self,
    ]
}
