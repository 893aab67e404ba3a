import GutsGit

/// Decides which objects a fetch sends: everything reachable from the wants that the
/// client's common haves do not already reach, cut at a depth for shallow clones.
struct FetchPlanner {
    let repository: RepositoryHandle

    struct Plan: Sendable {
        var objects: [ObjectID]
        /// Commits whose parents the client will not get (`shallow` lines for the client).
        var shallowBoundary: [ObjectID]
        /// Objects the client is known to have (thin-pack delta bases); empty for shallow fetches.
        var clientHas: Set<ObjectID> = []
    }

    /// The haves that this repository has, in the order the client sent them.
    func commonHaves(_ haves: [ObjectID]) throws -> [ObjectID] {
        try haves.filter { try repository.objects.contains($0) }
    }

    /// Refuses wants that are not objects this repository has (git: "not our ref").
    func validateWants(_ wants: [ObjectID]) throws {
        for want in wants where try !repository.objects.contains(want) {
            throw GitProtocolError.notOurRef(want.hex)
        }
    }

    func plan(for request: FetchRequest, common: [ObjectID]) throws -> Plan {
        var plan: Plan
        if let depth = request.depth {
            plan = try shallowPlan(wants: request.wants, depth: depth, common: Set(common))
        } else {
            let walk = try ReachabilityWalker.objectsAndClientObjects(reachableFrom: request.wants, excluding: common, load: repository.load)
            plan = Plan(objects: walk.objects, shallowBoundary: [], clientHas: walk.clientHas)
        }
        if request.includeTag {
            plan.objects += try tagsPointing(into: plan.objects)
        }
        return plan
    }

    /// Commits up to `depth` from the wants (depth 1 is the wanted commits alone), with their trees.
    private func shallowPlan(wants: [ObjectID], depth: Int, common: Set<ObjectID>) throws -> Plan {
        var commits = [ObjectID]()
        var boundary = [ObjectID]()
        var seen = Set<ObjectID>()
        var trees = [ObjectID]()
        var nonCommitWants = [ObjectID]()
        var frontier = [ObjectID]()
        for want in wants {
            let peeled = try repository.peel(want)
            if peeled != want { nonCommitWants.append(want) }
            guard let object = try repository.load(peeled), object.type == .commit else {
                nonCommitWants.append(peeled)
                continue
            }
            frontier.append(peeled)
        }
        var level = 1
        while !frontier.isEmpty && level <= depth {
            var next = [ObjectID]()
            for id in frontier where seen.insert(id).inserted && !common.contains(id) {
                guard let object = try repository.load(id) else { throw GitProtocolError.notOurRef(id.hex) }
                let commit = try Commit(parsing: object.body)
                commits.append(id)
                trees.append(commit.tree)
                if level == depth {
                    if !commit.parents.isEmpty { boundary.append(id) }
                } else {
                    next.append(contentsOf: commit.parents)
                }
            }
            frontier = next
            level += 1
        }
        let rest = try ReachabilityWalker.objects(reachableFrom: trees + nonCommitWants, excluding: [], load: repository.load)
        var objects = commits
        var included = Set(commits)
        for id in rest where included.insert(id).inserted { objects.append(id) }
        return Plan(objects: objects, shallowBoundary: boundary)
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
