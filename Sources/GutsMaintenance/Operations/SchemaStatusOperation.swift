/// `guts migrate status`: the storage schema version and the pending migrations.
public struct SchemaStatusOperation: AdminOperation, Equatable {
    public static let job = "migrate-status"
    public static let route: AdminRoute? = AdminRoute(.get, "/admin/schema")
    public static let isExclusive = false

    public init() {}
    public init(query: AdminQuery) {}
    public var query: [String: String] { [:] }

    public func run(in context: AdminContext) async throws -> SchemaMigrator.Status {
        let migrator = SchemaMigrator(dataDirectory: context.dataDirectory)
        guard context.isNode else { return try migrator.status() }
        return SchemaMigrator.status(of: try context.storage(), checkpoints: migrator.checkpoints())
    }
}
