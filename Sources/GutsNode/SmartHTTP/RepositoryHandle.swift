import GutsGit
import GutsStorage

/// One repository's record with its object and ref stores, as a request sees it.
struct RepositoryHandle: Sendable {
    let repository: Repository
    let objects: ObjectStore
    let refs: RefStore
    let graph: CommitGraph

    init(repository: Repository, storage: Storage) {
        self.repository = repository
        self.objects = storage.objects(repository)
        self.refs = storage.refs(repository)
        self.graph = storage.commitGraph(repository)
    }

    /// A commit's graph entry (from the commit graph, or parsed); nil for a non-commit.
    func commitNode(_ id: ObjectID) throws -> CommitNode? {
        try graph.node(id, objects: objects)
    }

    /// Loads an object for graph walks (trusting the store: no re-hashing).
    func load(_ id: ObjectID) throws -> RawObject? {
        try objects.loadRaw(id)
    }

    /// The object a tag chain finally points to.
    func peel(_ id: ObjectID) throws -> ObjectID {
        var current = id
        for _ in 0..<64 {
            guard let object = try load(current), object.type == .tag else { return current }
            current = try Tag(parsing: object.body).object
        }
        return current
    }
}
