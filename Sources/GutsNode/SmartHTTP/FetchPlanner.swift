import GutsGit

/// Decides which objects a fetch sends: everything reachable from the wants that the
/// client's common haves do not already reach, cut at a depth for shallow fetches.
///
/// Shallow clients and deepening follow git's shallow protocol: the client's shallow
/// commits are walked as if parentless (it has none of their parents). A `deepen N`
/// cuts history N commits below the wants (or, with `deepen-relative`, N below the
/// client's current shallow commits); commits at the cut become the new `shallow`
/// boundary, and client shallow commits that are now above the cut are `unshallow`ed,
/// their parents sent.
struct FetchPlanner {
    let repository: RepositoryHandle
    /// Full clones start from the repository's last one when its wants are still reached.
    var clonePlans: ClonePlans?

    struct Plan: Sendable {
        var objects: [ObjectID]
        /// Objects the client is known to have (thin-pack delta bases).
        var clientHas: Set<ObjectID>
    }

    /// How a fetch moves the client's shallow boundary.
    struct ShallowUpdate: Sendable {
        /// Commits whose parents the client will not get and does not know as shallow yet.
        var shallow: [ObjectID] = []
        /// Client shallow commits whose parents the client now gets.
        var unshallow: [ObjectID] = []
        /// Commits the walk treats as parentless: old and new shallow commits.
        var grafts = Set<ObjectID>()
        /// Parents of the unshallowed commits, sent as if wanted.
        var extraTips: [ObjectID] = []
    }

    /// `--unshallow` asks for this depth.
    static let infiniteDepth = 0x7fff_ffff

    /// The haves that this repository has, in the order the client sent them.
    func commonHaves(_ haves: [ObjectID]) throws -> [ObjectID] {
        try haves.filter { try repository.objects.contains($0) }
    }

    /// Refuses wants that are not objects this repository has (git: "not our ref"), and,
    /// given `reachable`, commits that no ref reaches (a force-pushed-away commit).
    func validateWants(_ wants: [ObjectID], reachable: ReachableCommits? = nil) throws {
        var history = [ObjectID]()
        for want in wants {
            guard let stored = try repository.objects.get(want) else { throw GitProtocolError.notOurRef(want.hex) }
            if stored.type == .commit || stored.type == .tag { history.append(want) }
        }
        if let reachable, let unreachable = try reachable.firstUnreachable(of: history, in: repository) {
            throw GitProtocolError.notOurRef(unreachable.hex)
        }
    }

    func shallowUpdate(for request: FetchRequest) throws -> ShallowUpdate {
        let clientShallows = try Set(request.clientShallows.filter { try repository.objects.contains($0) })
        var update = ShallowUpdate(grafts: clientShallows)
        guard let depth = request.depth else { return update }
        let cut = try cutHistory(depth: depth, relative: request.deepenRelative, wants: request.wants, clientShallows: clientShallows)
        update.shallow = cut.boundary.filter { !clientShallows.contains($0) }
        update.unshallow = request.clientShallows.filter { cut.above.contains($0) }
        update.grafts.formUnion(cut.boundary)
        for id in update.unshallow {
            update.extraTips += try repository.commitNode(id)?.parents ?? []
        }
        return update
    }

    func plan(for request: FetchRequest, common: [ObjectID], shallowUpdate: ShallowUpdate) throws -> Plan {
        var plan: Plan
        let isFullClone = common.isEmpty && shallowUpdate.grafts.isEmpty && shallowUpdate.extraTips.isEmpty && request.filter == nil
        if isFullClone, let clonePlans {
            plan = try fullClone(wants: request.wants, plans: clonePlans)
        } else {
            let objects = repository.objects
            let walk = try ReachabilityWalker.objectsAndClientObjects(
                reachableFrom: request.wants + shallowUpdate.extraTips, excluding: common, grafts: shallowUpdate.grafts,
                load: repository.load, exists: objects.contains, links: repository.commitNode,
                filter: request.filter, blobSize: { try objects.get($0)?.size })
            // A partial clone's client may lack what its haves reach (the filter left it
            // out), so nothing it "has" is a safe delta base.
            plan = Plan(objects: walk.objects, clientHas: request.filter == nil ? walk.clientHas : [])
        }
        if request.includeTag {
            plan.objects += try tagsPointing(into: plan.objects)
        }
        return plan
    }

    /// Everything `wants` reach: what they reach beyond the last full clone's wants, plus
    /// that clone's objects, when `ClonePlans.canReuse` allows; else a whole walk. Either
    /// way the result becomes the repository's plan.
    private func fullClone(wants: [ObjectID], plans: ClonePlans) throws -> Plan {
        let id = repository.repository.id
        let sortedWants = Array(Set(wants)).sorted()
        if let previous = plans.plan(for: id) {
            if previous.wants == sortedWants { return Plan(objects: previous.objects, clientHas: []) }
            let links = repository.commitNode
            let reusable = try ClonePlans.canReuse(previous, for: sortedWants) { old, new in
                try ReachabilityWalker.isAncestor(old, of: new, load: repository.load, links: links)
            }
            if reusable {
                let added = try ReachabilityWalker.objectsAndClientObjects(
                    reachableFrom: sortedWants, excluding: previous.wants, load: repository.load,
                    exists: repository.objects.contains, links: links).objects
                let known = Set(previous.objects)
                let objects = added.filter { !known.contains($0) } + previous.objects
                plans.store(.init(wants: sortedWants, objects: objects), for: id)
                return Plan(objects: objects, clientHas: [])
            }
        }
        let walk = try ReachabilityWalker.objectsAndClientObjects(
            reachableFrom: wants, excluding: [], load: repository.load, exists: repository.objects.contains,
            links: repository.commitNode).objects
        plans.store(.init(wants: sortedWants, objects: walk), for: id)
        return Plan(objects: walk, clientHas: [])
    }

    /// Levels commits breadth-first from the wants (or from the client's shallow commits
    /// when relative; they count as level 1), each at its shortest distance. Commits at
    /// the last level that have parents form the boundary; those above it keep theirs.
    private func cutHistory(depth: Int, relative: Bool, wants: [ObjectID], clientShallows: Set<ObjectID>)
        throws -> (boundary: [ObjectID], above: Set<ObjectID>) {
        let lastLevel = relative ? min(depth, Self.infiniteDepth - 1) + 1 : depth
        var frontier = relative ? clientShallows.sorted() : try wants.map { try repository.peel($0) }
        var seen = Set<ObjectID>()
        var boundary = [ObjectID]()
        var above = Set<ObjectID>()
        var level = 1
        while !frontier.isEmpty && level <= lastLevel {
            var next = [ObjectID]()
            for id in frontier where seen.insert(id).inserted {
                guard let parents = try repository.commitNode(id)?.parents else { continue }
                if level == lastLevel {
                    if !parents.isEmpty { boundary.append(id) }
                } else {
                    above.insert(id)
                    next += parents
                }
            }
            frontier = next
            level += 1
        }
        return (boundary, above)
    }

    /// Annotated tags (from refs/tags) whose target is being sent but which are not themselves sent.
    private func tagsPointing(into objects: [ObjectID]) throws -> [ObjectID] {
        let sending = Set(objects)
        var extra = [ObjectID]()
        for ref in try repository.refs.list(prefix: "refs/tags/") where !sending.contains(ref.id) {
            var chain = [ObjectID]()
            var current = ref.id
            while let object = try repository.load(current), object.type == .tag, !sending.contains(current) {
                chain.append(current)
                current = try Tag(parsing: object.body).object
            }
            if sending.contains(current) { extra.append(contentsOf: chain) }
        }
        return Array(Set(extra))
    }
}
