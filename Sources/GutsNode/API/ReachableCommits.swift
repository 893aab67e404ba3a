import GutsGit
import GutsStorage
import Synchronization

/// Which commits some ref of a repository reaches, so that routes naming a commit by id
/// serve nothing that is unreachable (a force-pushed-away commit, say).
///
/// The set is computed by one walk over the commit graph (never trees or blobs) and kept until
/// the refs change: it is keyed by a digest of every ref's name and id. Ref tips are
/// answered without a walk. At most `capacity` repositories are kept.
final class ReachableCommits: Sendable {
    private struct Entry {
        var fingerprint: ObjectID
        var commits: Set<ObjectID>
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// Whether `id` is a ref tip, a peeled tip, or a commit some ref reaches.
    func contains(_ id: ObjectID, in repository: RepositoryHandle) throws -> Bool {
        try firstUnreachable(of: [id], in: repository) == nil
    }

    /// The first of `ids` that is neither a ref tip nor a commit some ref reaches; nil when
    /// all are. The refs are listed once, however many ids (a mirror clone wants every tip).
    func firstUnreachable(of ids: [ObjectID], in repository: RepositoryHandle) throws -> ObjectID? {
        let refs = try repository.refs.list(prefix: "refs/")
        let tips = Set(refs.map(\.id))
        let rest = ids.filter { !tips.contains($0) }
        guard !rest.isEmpty else { return nil }
        var hasher = SHA1()
        for ref in refs { hasher.update(Array(ref.name.utf8) + ref.id.bytes) }
        let fingerprint = hasher.finalize()
        let key = repository.repository.id
        let commits: Set<ObjectID>
        if let entry = entries.withLock({ $0[key] }), entry.fingerprint == fingerprint {
            commits = entry.commits
        } else {
            var walked = Set<ObjectID>()
            var pending = try refs.map { try repository.peel($0.id) }
            while let next = pending.popLast() {
                guard walked.insert(next).inserted, let node = try repository.commitNode(next) else { continue }
                pending += node.parents
            }
            commits = walked
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll() }
                entries[key] = Entry(fingerprint: fingerprint, commits: walked)
            }
        }
        return rest.first { !commits.contains($0) }
    }
}
