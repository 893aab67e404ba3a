/// `guts cache-stats`: entries, bytes, hits, misses and evictions of every cache.
public struct CacheStatsOperation: AdminOperation, Equatable {
    public static let job = "cache-stats"
    public static let route: AdminRoute? = AdminRoute(.get, "/admin/cache-stats")
    public static let isExclusive = false

    public init() {}
    public init(query: AdminQuery) {}
    public var query: [String: String] { [:] }

    public func run(in context: AdminContext) async throws -> CacheStatsReport {
        try await context.perform(background: false) {
            var report = try CacheStatsReport(storage: context.storage(), archives: context.archives, lfs: context.lfs)
            report.caches += context.nodeCaches()
            return report
        }
    }
}
