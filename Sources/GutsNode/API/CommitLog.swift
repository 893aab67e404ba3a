import GutsGit

/// History from a commit, newest committer time first (ties by id), as `git log` orders it by default.
struct CommitLog {
    let repository: RepositoryHandle

    struct Entry {
        var id: ObjectID
        var commit: Commit
    }

    /// Up to `limit` commits, beginning at `cursor` when given (which must be in the history).
    func page(from tip: ObjectID, startingAt cursor: ObjectID?, limit: Int) throws -> [Entry] {
        var queue = [Entry]()
        var seen = Set<ObjectID>()
        func enqueue(_ id: ObjectID) throws {
            guard seen.insert(id).inserted, let object = try repository.load(id), object.type == .commit else { return }
            queue.append(Entry(id: id, commit: try Commit(parsing: object.body)))
        }
        try enqueue(tip)
        var result = [Entry]()
        var started = cursor == nil
        while !queue.isEmpty && result.count < limit {
            let index = queue.indices.max { lhs, rhs in
                (queue[lhs].commit.committer.time, queue[rhs].id) < (queue[rhs].commit.committer.time, queue[lhs].id)
            }!
            let entry = queue.remove(at: index)
            if entry.id == cursor { started = true }
            if started { result.append(entry) }
            for parent in entry.commit.parents { try enqueue(parent) }
        }
        return result
    }
}
