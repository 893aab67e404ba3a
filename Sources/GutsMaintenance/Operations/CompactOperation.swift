import GutsStorage

/// `guts compact`: prune, repack, then compact RocksDB column families.
public struct CompactOperation: AdminOperation, Equatable {
    public static let job = "compact"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/compact")

    /// Column families to compact; empty for all.
    public var families: [ColumnFamily]
    public var maxDuration: Double?
    public var pruneUnreachable: Double?
    public var repack: Bool
    public var repositories: [String]
    /// Stored bytes read per second by prune and repack; nil for the context's default.
    public var bytesPerSecond: Double?

    public init(
        families: [ColumnFamily] = [], maxDuration: Double? = nil, pruneUnreachable: Double? = nil,
        repack: Bool = false, repositories: [String] = [], bytesPerSecond: Double? = nil
    ) {
        self.families = families
        self.maxDuration = maxDuration
        self.pruneUnreachable = pruneUnreachable
        self.repack = repack
        self.repositories = repositories
        self.bytesPerSecond = bytesPerSecond
    }

    public init(query: AdminQuery) throws {
        let names = query.list("cf").filter { $0 != "all" }
        self.init(
            families: try names.map { name in
                guard let family = ColumnFamily(rawValue: name) else { throw AdminError.usage("unknown column family \(name)") }
                return family
            },
            maxDuration: try query.double("max-duration"), pruneUnreachable: try query.double("prune-unreachable"),
            repack: query.flag("repack"), repositories: query.list("repos"), bytesPerSecond: try query.double("rate"))
    }

    public var query: [String: String] {
        var query = ["cf": families.isEmpty ? "all" : families.map(\.rawValue).joined(separator: ",")]
        query.set("max-duration", maxDuration)
        query.set("prune-unreachable", pruneUnreachable)
        if repack { query["repack"] = "1" }
        query.set("repos", list: repositories)
        query.set("rate", bytesPerSecond)
        return query
    }

    public func run(in context: AdminContext) async throws -> CompactionReport {
        var work = Compactor.ObjectWork(pruneGrace: pruneUnreachable, repack: repack)
        work.repositories = repositories
        work.bytesPerSecond = bytesPerSecond ?? context.defaultBytesPerSecond
        work.progress = context.progress
        let storage = try context.storage()
        return try await context.perform { [work] in
            try Compactor(storage: storage).run(families: families, maxDuration: maxDuration, objects: work)
        }
    }
}
