import GutsGit

/// Turns the ref part of a content URL into a commit, telling whether the URL named it
/// immutably (a full object id) or by a movable name.
struct RefResolver {
    let repository: RepositoryHandle

    struct Resolved {
        var commit: ObjectID
        /// The URL named a full object id: its content can never change.
        var immutable: Bool
        /// Path components after the ref.
        var path: [String]
    }

    /// Resolves the longest leading run of `components` that names a branch, tag or
    /// commit id (branch names may contain slashes), returning the rest as the path.
    func resolve(_ components: [String]) throws -> Resolved? {
        guard let first = components.first else { return nil }
        if ObjectID.isHex(first), let id = ObjectID(hex: first) {
            guard try repository.objects.contains(id) else { return nil }
            return Resolved(commit: try repository.peel(id), immutable: true, path: Array(components.dropFirst()))
        }
        for length in stride(from: components.count, through: 1, by: -1) {
            let name = components[..<length].joined(separator: "/")
            for candidate in ["refs/heads/\(name)", "refs/tags/\(name)", name] where candidate.hasPrefix("refs/") {
                if let id = try repository.refs.get(candidate) {
                    return Resolved(commit: try repository.peel(id), immutable: false, path: Array(components[length...]))
                }
            }
        }
        if first == "HEAD", let id = try repository.refs.resolveHead() {
            return Resolved(commit: id, immutable: false, path: Array(components.dropFirst()))
        }
        return nil
    }

    /// Walks `path` from the commit's tree; nil when some component does not exist.
    func entry(at path: [String], in commit: ObjectID) throws -> (id: ObjectID, mode: FileMode)? {
        guard let object = try repository.load(commit), object.type == .commit else { return nil }
        var current = (id: try Commit(parsing: object.body).tree, mode: FileMode.directory)
        for component in path where !component.isEmpty {
            guard current.mode == .directory, let tree = try repository.load(current.id), tree.type == .tree else { return nil }
            guard let entry = try Tree(parsing: tree.body).entries.first(where: { $0.nameString == component }) else { return nil }
            current = (entry.id, entry.mode)
        }
        return current
    }
}
