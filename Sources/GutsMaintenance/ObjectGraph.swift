import GutsGit
import GutsStorage

/// What `prune` and `repack` know of a repository's stored objects without reading
/// their bodies twice: each object's type, stored size and delta base, and walks over
/// the references between objects.
struct ObjectGraph {
    struct Node {
        var type: ObjectType
        var size: Int
        var bytes: Int
        var base: ObjectID?
        var depth: Int
    }

    let objects: ObjectStore
    private(set) var nodes: [ObjectID: Node] = [:]
    /// Objects some stored delta applies to.
    private(set) var bases = Set<ObjectID>()
    private(set) var bytes = 0

    /// Scans every stored value of `objects` (values that do not decode are left out:
    /// fsck reports them).
    init(objects: ObjectStore, throttle: inout Throttle) throws {
        self.objects = objects
        var nodes: [ObjectID: Node] = [:]
        var bases = Set<ObjectID>()
        var bytes = 0
        try objects.forEachStoredValue { value in
            throttle.account(value.bytes)
            bytes += value.bytes
            guard let stored = value.object else { return }
            nodes[value.id] = Node(type: stored.type, size: stored.size, bytes: value.bytes, base: stored.delta?.base, depth: stored.delta?.depth ?? 0)
            if let base = stored.delta?.base { bases.insert(base) }
        }
        self.nodes = nodes
        self.bases = bases
        self.bytes = bytes
    }

    /// Everything `starts` reach through commits, trees and tags, plus the delta bases of
    /// all of it, skipping what is in `known` (already reached) and objects not stored.
    /// Objects stored after the scan (a push that landed since) are read from the store,
    /// so a walk from a moved ref also reaches the older objects beneath them.
    func reach(from starts: some Sequence<ObjectID>, known: Set<ObjectID> = []) throws -> Set<ObjectID> {
        var reached = Set<ObjectID>()
        var pending = Array(starts)
        while let id = pending.popLast() {
            guard !known.contains(id), !reached.contains(id) else { continue }
            let type: ObjectType
            if let node = nodes[id] {
                type = node.type
                if let base = node.base { pending.append(base) }
            } else if let stored = try objects.get(id) {
                type = stored.type
                if let base = stored.delta?.base { pending.append(base) }
            } else {
                continue
            }
            reached.insert(id)
            guard type != .blob, let object = try? objects.load(id) else { continue }
            switch type {
            case .commit:
                guard let commit = try? Commit(parsing: object.body) else { continue }
                pending.append(commit.tree)
                pending += commit.parents
            case .tree:
                guard let tree = try? Tree(parsing: object.body) else { continue }
                for entry in tree.entries where entry.mode != .gitlink { pending.append(entry.id) }
            case .tag:
                if let tag = try? Tag(parsing: object.body) { pending.append(tag.object) }
            case .blob:
                break
            }
        }
        return reached
    }

    /// The tips of every ref, and HEAD's.
    static func tips(_ refs: RefStore) throws -> [String: ObjectID] {
        var tips = Dictionary(try refs.list().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        if let head = refs.resolveHead() { tips["HEAD"] = head }
        return tips
    }
}
