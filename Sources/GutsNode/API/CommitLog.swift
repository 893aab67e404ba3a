import GutsGit

/// History from a commit, newest committer time first (ties by id), as `git log` orders it by default.
///
/// The walk reads the commit graph; only the commits of the page itself are loaded.
struct CommitLog {
    let repository: RepositoryHandle

    struct Entry {
        var id: ObjectID
        var commit: Commit
    }

    /// Up to `limit` commits, beginning at `cursor` when given (which must be in the history).
    func page(from tip: ObjectID, startingAt cursor: ObjectID?, limit: Int) throws -> [Entry] {
        var queue = [(id: ObjectID, node: CommitNode)]()
        var seen = Set<ObjectID>()
        func enqueue(_ id: ObjectID) throws {
            guard seen.insert(id).inserted, let node = try repository.commitNode(id) else { return }
            queue.append((id, node))
        }
        try enqueue(tip)
        var result = [Entry]()
        var started = cursor == nil
        while !queue.isEmpty && result.count < limit {
            // safe: the queue is not empty.
            let index = queue.indices.max { lhs, rhs in
                (queue[lhs].node.time, queue[rhs].id) < (queue[rhs].node.time, queue[lhs].id)
            }!
            let next = queue.remove(at: index)
            if next.id == cursor { started = true }
            if started, let object = try repository.load(next.id) {
                result.append(Entry(id: next.id, commit: try Commit(parsing: object.body)))
            }
            for parent in next.node.parents { try enqueue(parent) }
        }
        return result
    }
}
