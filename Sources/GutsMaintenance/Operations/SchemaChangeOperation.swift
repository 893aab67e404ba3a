/// `guts migrate up` and `down`: apply pending schema migrations, or restore the checkpoint
/// taken before the last one. Only on a stopped node's data directory.
public struct SchemaChangeOperation: AdminOperation, Equatable {
    public enum Direction: String, Sendable {
        case up, down
    }

    public static let job = "migrate"
    public static let route: AdminRoute? = nil

    public var direction: Direction
    /// With `up`, stop at this schema version.
    public var target: Int?
    public var dryRun: Bool

    public init(_ direction: Direction, to target: Int? = nil, dryRun: Bool = false) {
        self.direction = direction
        self.target = target
        self.dryRun = dryRun
    }

    public init(query: AdminQuery) throws {
        guard let direction = query.string("direction").flatMap(Direction.init(rawValue:)) else { throw AdminError.usage("direction is up or down") }
        self.init(direction, to: try query.int("to"), dryRun: query.flag("dry-run"))
    }

    public var query: [String: String] {
        var query = ["direction": direction.rawValue]
        query.set("to", target)
        if dryRun { query["dry-run"] = "1" }
        return query
    }

    public func run(in context: AdminContext) async throws -> SchemaMigrator.Report {
        guard !context.isNode else { throw AdminError.needsStoppedNode("migrate \(direction.rawValue)") }
        let migrator = SchemaMigrator(dataDirectory: context.dataDirectory)
        switch direction {
        case .up: return try migrator.up(to: target, dryRun: dryRun)
        case .down: return try migrator.down(dryRun: dryRun)
        }
    }
}
