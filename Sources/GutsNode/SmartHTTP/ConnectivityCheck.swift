import GutsGit

/// Proves that a push's new ref tips reference only objects the repository has.
///
/// Every object stored before the push is already part of a complete history (a push
/// whose objects fail this check is rolled back), so the walk descends only into the
/// objects this push added and merely checks the presence of anything older.
struct ConnectivityCheck {
    let repository: RepositoryHandle
    let added: Set<ObjectID>

    struct MissingObject: Error, CustomStringConvertible {
        let id: ObjectID
        var description: String { "missing necessary objects (\(id.hex))" }
    }

    func verify(tips: [ObjectID]) throws {
        var visited = Set<ObjectID>()
        var pending = tips
        while let id = pending.popLast() {
            guard visited.insert(id).inserted else { continue }
            guard added.contains(id) else {
                guard try repository.objects.contains(id) else { throw MissingObject(id: id) }
                continue
            }
            guard let object = try repository.load(id) else { throw MissingObject(id: id) }
            switch object.type {
            case .commit:
                let commit = try Commit(parsing: object.body)
                pending.append(commit.tree)
                pending.append(contentsOf: commit.parents)
            case .tree:
                let tree = try Tree(parsing: object.body)
                try TreeValidator.validate(tree)
                pending.append(contentsOf: tree.entries.filter { $0.mode != .gitlink }.map(\.id))
            case .tag:
                pending.append(try Tag(parsing: object.body).object)
            case .blob:
                break
            }
        }
    }
}
