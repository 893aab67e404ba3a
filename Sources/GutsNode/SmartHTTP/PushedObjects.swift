import GutsGit
import GutsStorage

/// What a push's pack holds, recorded while `PackReader` has each body in hand: the type of
/// every stored object, the commit-graph entry of every commit, and every id the pack's
/// commits, trees and tags link to.
///
/// Each commit, tree and tag is parsed, and checked by git fsck's rules, exactly once, so
/// proving the push complete costs no second inflation: the pack is closed when every
/// linked id is in the pack or in the repository, whose objects always have their whole
/// history (see `Quarantine`). Only a pack with holes needs `ConnectivityCheck`'s walk, to
/// tell which refs lack objects.
struct PushedObjects {
    /// Refuse what git's fsck only warns about, too (`strictObjects`).
    var strict = false
    /// Every object the push stored, with its type.
    var types: [ObjectID: ObjectType] = [:]
    /// The graph entry of every commit of the pack.
    private(set) var commits: [ObjectID: CommitNode] = [:]
    /// Ids that the pack's commits, trees and tags link to (gitlinks excepted).
    private(set) var linked = Set<ObjectID>()
    /// Ids recently put in `linked`, by their leading bits: consecutive versions of a tree
    /// link to mostly the same ids, and a compare is cheaper than a set insert.
    private var recentlyLinked = [ObjectID](repeating: .zero, count: 1 << 14)

    /// A commit or tag whose identity line git's fsck flags, refused in strict mode.
    struct BadIdentity: Error, CustomStringConvertible {
        let id: ObjectID
        var description: String { "object \(id.hex): unreadable author, committer or tagger line (\(FsckMessage.badIdentity.rawValue))" }
    }

    init(strict: Bool) {
        self.strict = strict
    }

    /// Parses and checks one commit, tree or tag of the pack; `PackReader`'s inspector.
    mutating func inspect(_ id: ObjectID, type: ObjectType, body: [UInt8]) throws {
        switch type {
        case .commit:
            let commit = try Commit(parsing: body)
            if strict, !commit.author.isWellFormed || !commit.committer.isWellFormed { throw BadIdentity(id: id) }
            commits[id] = CommitNode(commit)
            link(commit.tree)
            for parent in commit.parents { link(parent) }
        case .tree:
            try TreeValidator.validate(body: body, strict: strict) { mode, entry in
                if mode != .gitlink { link(entry) }
            }
        case .tag:
            let tag = try Tag(parsing: body)
            if strict, tag.tagger?.isWellFormed == false { throw BadIdentity(id: id) }
            link(tag.object)
        case .blob:
            break
        }
    }

    private mutating func link(_ id: ObjectID) {
        let slot = Int(truncatingIfNeeded: id.leadingWord) & (recentlyLinked.count - 1)
        guard recentlyLinked[slot] != id else { return }
        recentlyLinked[slot] = id
        linked.insert(id)
    }

    /// Whether every linked id, and every id of `tips`, is in the push or in `objects`
    /// (the quarantine, reading through to the repository).
    func isClosed(tips: [ObjectID], in objects: ObjectStore) throws -> Bool {
        for id in tips where types[id] == nil {
            guard try objects.contains(id) else { return false }
        }
        for id in linked where types[id] == nil {
            guard try objects.contains(id) else { return false }
        }
        return true
    }
}
