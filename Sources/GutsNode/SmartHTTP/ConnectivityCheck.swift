import GutsGit
import GutsStorage

/// Proves that a push's new ref tips reference only objects the repository will have,
/// and finds which of the pushed objects they reach.
///
/// The repository only ever holds objects whose whole history it holds (a push's objects
/// wait in a `Quarantine`, and only those an accepted tip reaches are admitted), so the
/// walk descends only into the pushed objects and merely checks that anything older is
/// there. Its cost is what the push added, not the size of the history, and it never
/// reads a blob: the pack told each object's type.
struct ConnectivityCheck {
    /// The push's quarantine, reading through to the repository.
    let objects: ObjectStore
    /// Every object the push brought, with its type.
    let added: [ObjectID: ObjectType]
    /// Refuse what git's fsck only warns about, too (`strictObjects`).
    var strict = false

    /// A commit or tag whose identity line git's fsck flags, refused in strict mode.
    struct BadIdentity: Error, CustomStringConvertible {
        let id: ObjectID
        var description: String { "object \(id.hex): unreadable author, committer or tagger line (\(FsckMessage.badIdentity.rawValue))" }
    }

    struct MissingObject: Error, CustomStringConvertible {
        let id: ObjectID
        var description: String { "missing necessary objects (\(id.hex))" }
    }

    /// What a walk found: the pushed objects the tips reach, and the commit-graph entry of
    /// each pushed commit among them (parsed anyway, so the graph costs no extra read).
    struct Reach {
        var objects = Set<ObjectID>()
        var commits: [ObjectID: CommitNode] = [:]

        mutating func formUnion(_ other: Reach) {
            objects.formUnion(other.objects)
            commits.merge(other.commits) { first, _ in first }
        }
    }

    /// The pushed objects reachable from `tips`, each parsed once however many tips share it;
    /// throws `MissingObject` for the first object that neither the push nor the repository has.
    func reachableAdded(from tips: [ObjectID]) throws -> Reach {
        var reach = Reach()
        var checked = Set<ObjectID>()
        var pending = tips
        while let id = pending.popLast() {
            guard let type = added[id] else {
                guard checked.insert(id).inserted else { continue }
                guard try objects.contains(id) else { throw MissingObject(id: id) }
                continue
            }
            guard reach.objects.insert(id).inserted, type != .blob else { continue }
            guard let object = try objects.load(id) else { throw MissingObject(id: id) }
            switch object.type {
            case .commit:
                let commit = try Commit(parsing: object.body)
                if strict, !commit.author.isWellFormed || !commit.committer.isWellFormed { throw BadIdentity(id: id) }
                reach.commits[id] = CommitNode(commit)
                pending.append(commit.tree)
                pending.append(contentsOf: commit.parents)
            case .tree:
                let tree = try Tree(parsing: object.body)
                try TreeValidator.validate(tree, strict: strict)
                pending.append(contentsOf: tree.entries.lazy.filter { $0.mode != .gitlink }.map(\.id))
            case .tag:
                let tag = try Tag(parsing: object.body)
                if strict, tag.tagger?.isWellFormed == false { throw BadIdentity(id: id) }
                pending.append(tag.object)
            case .blob:
                break
            }
        }
        return reach
    }
}
