import GutsGit
import GutsStorage

/// Walks from a push's new ref tips through the pushed objects, for a pack that is not
/// closed (see `PushedObjects`): it tells which tips lack objects, and which pushed objects
/// the others reach.
///
/// The repository only ever holds objects whose whole history it holds (a push's objects
/// wait in a `Quarantine`), so the walk descends only into the pushed objects and merely
/// checks that anything older is there. It never reads a blob: the pack told each
/// object's type.
struct ConnectivityCheck {
    /// The push's quarantine, reading through to the repository.
    let objects: ObjectStore
    /// Every object the push brought, with its type.
    let added: [ObjectID: ObjectType]

    struct MissingObject: Error, CustomStringConvertible {
        let id: ObjectID
        var description: String { "missing necessary objects (\(id.hex))" }
    }

    /// The pushed objects reachable from `tips`, each parsed once however many tips share it;
    /// throws `MissingObject` for the first object that neither the push nor the repository has.
    /// The walk stops at `complete`: pushed objects an earlier walk proved whole.
    func reachableAdded(from tips: [ObjectID], complete: Set<ObjectID> = []) throws -> Set<ObjectID> {
        var reached = Set<ObjectID>()
        var checked = Set<ObjectID>()
        var pending = tips
        while let id = pending.popLast() {
            guard let type = added[id] else {
                guard checked.insert(id).inserted else { continue }
                guard try objects.contains(id) else { throw MissingObject(id: id) }
                continue
            }
            guard !complete.contains(id), reached.insert(id).inserted, type != .blob else { continue }
            guard let object = try objects.load(id) else { throw MissingObject(id: id) }
            switch object.type {
            case .commit:
                let commit = try Commit(parsing: object.body)
                pending.append(commit.tree)
                pending.append(contentsOf: commit.parents)
            case .tree:
                try Tree.forEachEntry(in: object.body) { mode, entry in
                    if mode != .gitlink { pending.append(entry) }
                }
            case .tag:
                pending.append(try Tag(parsing: object.body).object)
            case .blob:
                break
            }
        }
        return reached
    }
}
