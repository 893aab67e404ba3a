/// `guts backup create`: a consistent, incremental backup into a directory, while the node serves.
public struct BackupOperation: AdminOperation, Equatable {
    public static let job = "backup"
    public static let route: AdminRoute? = AdminRoute(.post, "/admin/backup")

    /// The backup directory, an absolute path (the node may run elsewhere in the tree).
    public var directory: String
    /// Keep only the newest this many backups.
    public var keep: Int?

    public init(directory: String, keep: Int? = nil) throws {
        guard directory.hasPrefix("/") else { throw AdminError.usage("to must be an absolute path") }
        self.directory = directory
        self.keep = keep
    }

    public init(query: AdminQuery) throws {
        try self.init(directory: query.required("to"), keep: query.int("keep"))
    }

    public var query: [String: String] {
        var query = ["to": directory]
        query.set("keep", keep)
        return query
    }

    public func run(in context: AdminContext) async throws -> BackupStore.CreateReport {
        let storage = try context.storage()
        return try await context.perform { [self] in
            try BackupStore(directory: directory).create(storage: storage, dataDirectory: context.dataDirectory, keep: keep)
        }
    }
}
