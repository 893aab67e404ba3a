/// Walks the object graph: which objects a fetch must send, whether a push is
/// connected, and whether an update is a fast-forward.
///
/// Objects come from a `load` closure, so any store can be walked. Gitlink entries
/// (mode 160000) name commits of other repositories and are never followed.
public enum ReachabilityWalker {
    public typealias Loader = (ObjectID) throws -> RawObject?
    /// A commit's graph entry (tree, parents, generation) without loading the commit; nil
    /// when `id` is not a commit. Walks given one never inflate a commit.
    public typealias CommitLinks = (ObjectID) throws -> CommitNode?

    /// Every object reachable from `tips` but not from `haves`, ordered commits, tags,
    /// trees, blobs. Throws `ReachabilityError` naming the first missing object.
    ///
    /// Exclusion follows git's `rev-list --objects tips ^haves`: all commits reachable from
    /// `haves` are excluded, as is every tree and blob reachable from the `haves`
    /// themselves and from the excluded commits at the edge of the walk (parents of
    /// included commits). Haves the store does not know are ignored, as in negotiation.
    ///
    /// `exists`, if given, is used instead of `load` to check blobs, which are never parsed.
    public static func objects(reachableFrom tips: [ObjectID], excluding haves: [ObjectID],
                               load: Loader, exists: ((ObjectID) throws -> Bool)? = nil) throws -> [ObjectID] {
        try withoutActuallyEscaping(load) { load in
            var walk = GraphWalk(load: load, exists: exists, collectMissing: false)
            return try walk.run(tips: tips, haves: haves)
        }
    }

    /// Like `objects(reachableFrom:excluding:load:exists:)`, and also the objects the walk
    /// proved the client to have: those of the haves and of the excluded commits at the
    /// edge of the walk, which a thin pack may use as delta bases.
    ///
    /// `grafts` are commits walked as if they had no parents, on both sides: a shallow
    /// client's shallow commits (it has none of their parents) and the new shallow
    /// boundary of a deepening fetch.
    ///
    /// `exists`, if given, checks blobs instead of `load`: a walk then never reads one.
    ///
    /// `filter` leaves out what a partial clone asked not to get (the tips themselves are
    /// always sent); `blobSize` then answers a blob size limit without loading the blob.
    public static func objectsAndClientObjects(reachableFrom tips: [ObjectID], excluding haves: [ObjectID],
                                               grafts: Set<ObjectID> = [],
                                               load: Loader, exists: ((ObjectID) throws -> Bool)? = nil, links: CommitLinks? = nil,
                                               filter: ObjectFilter? = nil, blobSize: ((ObjectID) throws -> Int?)? = nil)
        throws -> (objects: [ObjectID], clientHas: Set<ObjectID>) {
        try withoutActuallyEscaping(load) { load in
            var walk = GraphWalk(load: load, exists: exists, collectMissing: false)
            walk.grafts = grafts
            walk.links = links
            walk.filter = filter
            walk.blobSize = blobSize
            let objects = try walk.run(tips: tips, haves: haves)
            return (objects, walk.excluded)
        }
    }

    /// Objects reachable from `tips` (and not from `haves`) that `load` cannot provide;
    /// empty when the graph is connected. Walks as far as the available objects allow.
    public static func missingObjects(reachableFrom tips: [ObjectID], excluding haves: [ObjectID] = [],
                                      load: Loader, exists: ((ObjectID) throws -> Bool)? = nil) throws -> [ObjectID] {
        try withoutActuallyEscaping(load) { load in
            var walk = GraphWalk(load: load, exists: exists, collectMissing: true)
            _ = try walk.run(tips: tips, haves: haves)
            return walk.missing
        }
    }

    /// Whether commit `ancestor` is `descendant` or one of its ancestors (a fast-forward).
    ///
    /// With `links`, commits of a generation below the ancestor's are not walked through:
    /// none of them can reach it, so the walk covers only what lies between the two.
    public static func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID, load: Loader, links: CommitLinks? = nil) throws -> Bool {
        if ancestor == descendant { return true }
        return try withoutActuallyEscaping(load) { load in
            var walk = GraphWalk(load: load, exists: nil, collectMissing: false)
            walk.links = links
            let floor = try links?(ancestor)?.generation ?? 0
            var queue = [descendant]
            var seen: Set<ObjectID> = [descendant]
            while let id = queue.popLast() {
                guard let commit = try walk.commit(id, referencedBy: nil) else { continue }
                if floor > 0, commit.generation > 0, commit.generation <= floor { continue }
                for parent in commit.parents where seen.insert(parent).inserted {
                    if parent == ancestor { return true }
                    queue.append(parent)
                }
            }
            return false
        }
    }
}

/// The state of one walk.
struct GraphWalk {
    let load: ReachabilityWalker.Loader
    let exists: ((ObjectID) throws -> Bool)?
    let collectMissing: Bool
    var links: ReachabilityWalker.CommitLinks?
    var missing: [ObjectID] = []
    /// Commits whose parents the walk does not follow.
    var grafts = Set<ObjectID>()
    /// A partial clone's filter on what the included side sends.
    var filter: ObjectFilter?
    var blobSize: ((ObjectID) throws -> Int?)?
    /// After `run`: the trees, blobs and tags found on the excluded side.
    private(set) var excluded = Set<ObjectID>()
    private var missingSet = Set<ObjectID>()

    init(load: @escaping ReachabilityWalker.Loader, exists: ((ObjectID) throws -> Bool)?, collectMissing: Bool) {
        self.load = load
        self.exists = exists
        self.collectMissing = collectMissing
    }

    /// Loads `id`; nil when missing and missing objects are being collected.
    mutating func fetch(_ id: ObjectID, expected: ObjectType?, referencedBy: ObjectID?) throws -> RawObject? {
        guard let object = try load(id) else {
            try noteMissing(id, referencedBy: referencedBy)
            return nil
        }
        if let expected, object.type != expected {
            throw ReachabilityError.wrongType(id, expected: expected, actual: object.type)
        }
        return object
    }

    mutating func noteMissing(_ id: ObjectID, referencedBy: ObjectID?) throws {
        guard collectMissing else { throw ReachabilityError.missingObject(id, referencedBy: referencedBy) }
        if missingSet.insert(id).inserted { missing.append(id) }
    }

    /// The commit's graph entry: from `links` when given, else parsed from the commit.
    mutating func commit(_ id: ObjectID, referencedBy: ObjectID?) throws -> CommitNode? {
        if let links, let node = try links(id) { return node }
        guard let object = try fetch(id, expected: .commit, referencedBy: referencedBy) else { return nil }
        return CommitNode(try Commit(parsing: object.body))
    }

    /// Follows tags down to a non-tag object; returns the tag ids passed and the final object.
    mutating func peel(_ id: ObjectID) throws -> (tags: [ObjectID], target: RawObject?) {
        var tags: [ObjectID] = []
        var current = id
        var referrer: ObjectID?
        while true {
            guard let object = try fetch(current, expected: nil, referencedBy: referrer) else { return (tags, nil) }
            guard object.type == .tag else { return (tags, object) }
            guard !tags.contains(current) else { return (tags, nil) }
            tags.append(current)
            referrer = current
            current = try Tag(parsing: object.body).object
        }
    }

    mutating func run(tips: [ObjectID], haves: [ObjectID]) throws -> [ObjectID] {
        // Excluded side: every commit reachable from the haves, plus objects of the haves.
        var excludedCommits = Set<ObjectID>()
        var excludedObjects = Set<ObjectID>()
        var edgeTrees: [ObjectID] = []
        var queue: [ObjectID] = []
        for have in haves {
            guard (try? load(have)) != nil else { continue }
            let (tags, target) = try peel(have)
            excludedObjects.formUnion(tags)
            guard let target else { continue }
            switch target.type {
            case .commit: queue.append(target.id)
            case .tree: edgeTrees.append(target.id)
            default: excludedObjects.insert(target.id)
            }
        }
        let haveCommits = queue
        if let bounded = try excludedCommitsByGeneration(tips: tips, haveCommits: haveCommits) {
            excludedCommits = bounded
            queue = []
        }
        while let id = queue.popLast() {
            guard excludedCommits.insert(id).inserted, let commit = try commit(id, referencedBy: nil) else { continue }
            queue.append(contentsOf: parents(of: id, commit).filter { !excludedCommits.contains($0) })
        }

        // Included side: tags and commits from the tips, stopping at excluded commits.
        var tagIDs: [ObjectID] = []
        var commitIDs: [ObjectID] = []
        var rootTrees: [ObjectID] = []
        var rootBlobs: [ObjectID] = []
        var seenCommits = Set<ObjectID>()
        var edgeCommits = Set<ObjectID>(haveCommits)
        var seenTags = Set<ObjectID>()
        let asked = Set(tips)
        for tip in tips {
            let (tags, target) = try peel(tip)
            for tag in tags where !excludedObjects.contains(tag) && seenTags.insert(tag).inserted && (asked.contains(tag) || keeps(.tag)) {
                tagIDs.append(tag)
            }
            guard let target else { continue }
            switch target.type {
            case .commit: queue.append(target.id)
            case .tree: rootTrees.append(target.id)
            case .blob: rootBlobs.append(target.id)
            case .tag: break
            }
        }
        let askedTrees = Set(rootTrees)
        let commitTrees = filter.map { $0.keeps(.tree, depth: 0, size: { 0 }) || $0.descends(belowDepth: 0) } ?? true
        queue.reverse()
        while let id = queue.popLast() {
            if excludedCommits.contains(id) {
                edgeCommits.insert(id)
                continue
            }
            guard seenCommits.insert(id).inserted else { continue }
            guard let commit = try commit(id, referencedBy: nil) else { continue }
            if asked.contains(id) || keeps(.commit) { commitIDs.append(id) }
            if commitTrees { rootTrees.append(commit.tree) }
            for parent in parents(of: id, commit).reversed() {
                if excludedCommits.contains(parent) { edgeCommits.insert(parent) } else { queue.append(parent) }
            }
        }
        for edge in edgeCommits.sorted() {
            if let commit = try? commit(edge, referencedBy: nil) { edgeTrees.append(commit.tree) }
        }
        for tree in edgeTrees {
            try markTree(tree, into: &excludedObjects)
        }
        excluded = excludedObjects

        if let filter {
            let (trees, blobs) = try filteredTreesAndBlobs(roots: rootTrees, asked: askedTrees, blobs: rootBlobs,
                                                           excluded: excludedObjects, filter: filter)
            return commitIDs + tagIDs + trees + blobs
        }

        // Trees and blobs of the included commits, minus the excluded ones.
        var trees: [ObjectID] = []
        var blobs: [ObjectID] = []
        var seen = excludedObjects
        var treeQueue: [(ObjectID, ObjectID?)] = rootTrees.reversed().map { ($0, nil) }
        var entries: [(FileMode, ObjectID)] = []
        for blob in rootBlobs where seen.insert(blob).inserted {
            if try blobExists(blob, referencedBy: nil) { blobs.append(blob) }
        }
        while let (id, referrer) = treeQueue.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard try readEntries(of: id, referrer: referrer, into: &entries) else { continue }
            trees.append(id)
            for (mode, entry) in entries {
                switch mode {
                case .gitlink:
                    continue
                case .directory:
                    if !seen.contains(entry) { treeQueue.append((entry, id)) }
                default:
                    if seen.insert(entry).inserted, try blobExists(entry, referencedBy: id) { blobs.append(entry) }
                }
            }
        }
        return commitIDs + tagIDs + trees + blobs
    }

    /// Reads tree `id`'s entries into `entries`, last first (so that pushing them onto a
    /// stack walks them in order); false when the tree is missing and missing objects are
    /// being collected.
    private mutating func readEntries(of id: ObjectID, referrer: ObjectID?, into entries: inout [(FileMode, ObjectID)]) throws -> Bool {
        guard let object = try fetch(id, expected: .tree, referencedBy: referrer) else { return false }
        entries.removeAll(keepingCapacity: true)
        try Tree.forEachEntry(in: object.body) { entries.append(($0, $1)) }
        entries.reverse()
        return true
    }

    /// Whether the filter (if any) sends a commit or tag the walk reached.
    private func keeps(_ type: ObjectType) -> Bool {
        filter?.keeps(type, depth: 0, size: { 0 }) ?? true
    }

    /// The trees and blobs under `roots` that `filter` keeps, minus `excluded`: the tree
    /// phase of `run` for a partial clone. Trees the filter neither keeps nor descends
    /// into are never read. Under a depth limit an object may first be met too deep and
    /// later within the limit, so each tree is walked again whenever it is met at a smaller
    /// depth than before; other filters decide each object once.
    private mutating func filteredTreesAndBlobs(roots: [ObjectID], asked: Set<ObjectID>, blobs askedBlobs: [ObjectID],
                                                excluded: Set<ObjectID>, filter: ObjectFilter) throws -> (trees: [ObjectID], blobs: [ObjectID]) {
        var trees: [ObjectID] = []
        var blobs: [ObjectID] = []
        var sent = excluded
        var decided = excluded
        var shallowest: [ObjectID: Int] = [:]
        let byDepth = filter.dependsOnDepth
        for blob in askedBlobs where sent.insert(blob).inserted {
            if try blobExists(blob, referencedBy: nil) { blobs.append(blob) }
        }
        var queue: [(id: ObjectID, referrer: ObjectID?, depth: Int)] = roots.reversed().map { ($0, nil, 0) }
        var entries: [(FileMode, ObjectID)] = []
        while let (id, referrer, depth) = queue.popLast() {
            if byDepth {
                guard !excluded.contains(id), shallowest[id].map({ depth < $0 }) ?? true else { continue }
                shallowest[id] = depth
            } else {
                guard decided.insert(id).inserted else { continue }
            }
            let isAsked = depth == 0 && asked.contains(id)
            if (isAsked || filter.keeps(.tree, depth: depth, size: { 0 })) && sent.insert(id).inserted {
                trees.append(id)
            }
            guard filter.descends(belowDepth: depth) else { continue }
            guard try readEntries(of: id, referrer: referrer, into: &entries) else { continue }
            for (mode, entry) in entries {
                switch mode {
                case .gitlink:
                    continue
                case .directory:
                    if byDepth ? !excluded.contains(entry) : !decided.contains(entry) { queue.append((entry, id, depth + 1)) }
                default:
                    guard !sent.contains(entry), byDepth || decided.insert(entry).inserted else { continue }
                    let kept = try filter.keeps(.blob, depth: depth + 1) {
                        guard let size = try blobSize?(entry) else { return 0 }
                        return size
                    }
                    if kept, sent.insert(entry).inserted, try blobExists(entry, referencedBy: id) { blobs.append(entry) }
                }
            }
        }
        return (trees, blobs)
    }

    /// The commits reachable from the haves that the walk from the tips could meet, found
    /// without walking the haves' whole history (git's `--not` cut, paced by generation
    /// numbers): both sides are walked together, highest generation first, so a commit is
    /// final when it is taken (everything that reaches it has a higher generation and was
    /// taken before), and the walk stops once no commit still queued is wanted. Nil when a
    /// commit on the way has no generation (no commit graph entry); the caller then walks
    /// everything the haves reach.
    private mutating func excludedCommitsByGeneration(tips: [ObjectID], haveCommits: [ObjectID]) throws -> Set<ObjectID>? {
        guard links != nil, !haveCommits.isEmpty else { return nil }
        var excluded = Set<ObjectID>()
        var queued: [ObjectID: (node: CommitNode, excluded: Bool)] = [:]
        var order: [(generation: Int, id: ObjectID)] = []
        var wantedQueued = 0
        func enqueue(_ id: ObjectID, excluded isExcluded: Bool) throws -> Bool {
            if let entry = queued[id] {
                if isExcluded && !entry.excluded {
                    queued[id]?.excluded = true
                    wantedQueued -= 1
                }
                return true
            }
            guard let node = try commit(id, referencedBy: nil) else { return true }
            guard node.generation > 0 else { return false }
            queued[id] = (node, isExcluded)
            let position = order.firstIndex { $0.generation > node.generation } ?? order.endIndex
            order.insert((node.generation, id), at: position)
            if !isExcluded { wantedQueued += 1 }
            return true
        }
        for have in haveCommits { guard try enqueue(have, excluded: true) else { return nil } }
        for tip in tips {
            let (_, target) = try peel(tip)
            if let target, target.type == .commit { guard try enqueue(target.id, excluded: false) else { return nil } }
        }
        while wantedQueued > 0, let next = order.popLast() {
            // safe: every id in `order` was entered in `queued` when it was queued.
            let entry = queued[next.id]!
            queued[next.id] = nil
            if entry.excluded {
                excluded.insert(next.id)
            } else {
                wantedQueued -= 1
            }
            for parent in parents(of: next.id, entry.node) where !excluded.contains(parent) {
                guard try enqueue(parent, excluded: entry.excluded) else { return nil }
            }
        }
        for (id, entry) in queued where entry.excluded { excluded.insert(id) }
        return excluded
    }

    private func parents(of id: ObjectID, _ commit: CommitNode) -> [ObjectID] {
        grafts.contains(id) ? [] : commit.parents
    }

    private mutating func blobExists(_ id: ObjectID, referencedBy: ObjectID?) throws -> Bool {
        if let exists {
            if try exists(id) { return true }
            try noteMissing(id, referencedBy: referencedBy)
            return false
        }
        return try fetch(id, expected: .blob, referencedBy: referencedBy) != nil
    }

    /// Adds `root` and everything below it to `marked`. Objects missing on the excluded
    /// side are skipped: the client claims to have them, so nothing depends on them here.
    private mutating func markTree(_ root: ObjectID, into marked: inout Set<ObjectID>) throws {
        var stack = [root]
        while let id = stack.popLast() {
            guard marked.insert(id).inserted else { continue }
            guard let object = try load(id), object.type == .tree else { continue }
            try Tree.forEachEntry(in: object.body) { mode, entry in
                if mode == .directory { stack.append(entry) } else if mode != .gitlink { marked.insert(entry) }
            }
        }
    }
}
