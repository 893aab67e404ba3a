import Testing
@testable import GutsGit
@testable import GutsStorage

/// Generation numbers follow git's commit-graph: 1 for a root, one more than the highest
/// parent otherwise, and unknown (0) downstream of a commit the graph does not hold.
@Suite struct CommitGraphTests {
    func id(_ text: String) -> ObjectID { SHA1.objectID(type: .blob, body: Array(text.utf8)) }

    @Test func generationsOfAMergeAcrossTwoAddsAndBelowAnUnknownParent() throws {
        let storage = Storage.inMemory()
        let graph = storage.commitGraph(try storage.repositories.create(name: "g/raph"))
        let tree = id("tree")
        func node(_ parents: [ObjectID], _ time: Int64) -> CommitNode { CommitNode(tree: tree, parents: parents, time: time) }
        let (root, left, right) = (id("root"), id("left"), id("right"))
        try graph.add([root: node([], -5), left: node([root], 10), right: node([root], 11)])
        let merge = id("merge"), orphan = id("orphan"), missing = id("missing")
        // A later push: the merge's parents come from the graph, not from this batch.
        try graph.add([merge: node([left, right], 20), orphan: node([missing], 30)])
        #expect(try graph.get(root)?.generation == 1)
        #expect(try graph.get(left)?.generation == 2)
        #expect(try graph.get(merge)?.generation == 3)
        #expect(try graph.get(merge)?.parents == [left, right])
        #expect(try graph.get(orphan)?.generation == 0, "below a commit without an entry the generation is unknown")
        #expect(try graph.get(root)?.time == -5, "times before 1970 survive the encoding")
        let stored = try #require(try graph.get(merge))
        #expect(CommitNode(decoding: stored.encoded()) == stored)
        #expect(CommitNode(decoding: [0x01, 0x02]) == nil)
    }

    @Test func isAncestorWithGenerationsAgreesWithAPlainWalk() throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "g/walk")
        let objects = storage.objects(repository)
        let graph = storage.commitGraph(repository)
        let tree = try objects.put(.tree, body: [])
        var commits: [ObjectID] = []
        var nodes: [ObjectID: CommitNode] = [:]
        for index in 0..<40 {
            // Two interleaved lines of history; every tenth commit merges the odd line into the even one.
            let parents = index < 2 ? [] : index % 10 == 0 ? [commits[index - 1], commits[index - 2]] : [commits[index - 2]]
            let body = "tree \(tree.hex)\n" + parents.map { "parent \($0.hex)\n" }.joined()
                + "author A <a@b> \(1_700_000_000 + index) +0000\ncommitter A <a@b> \(1_700_000_000 + index) +0000\n\nc\(index)\n"
            let commit = try objects.put(.commit, body: Array(body.utf8))
            commits.append(commit)
            nodes[commit] = CommitNode(try Commit(parsing: Array(body.utf8)))
        }
        try graph.add(nodes)
        let load: ReachabilityWalker.Loader = { try objects.loadRaw($0) }
        for (a, b) in [(0, 39), (1, 39), (5, 21), (21, 5), (38, 39), (12, 13), (10, 30), (31, 30)] {
            let plain = try ReachabilityWalker.isAncestor(commits[a], of: commits[b], load: load)
            let pruned = try ReachabilityWalker.isAncestor(commits[a], of: commits[b], load: load, links: { try graph.node($0, objects: objects) })
            #expect(plain == pruned, "\(a) → \(b)")
        }
        #expect(try ReachabilityWalker.isAncestor(commits[0], of: commits[38], load: load, links: { try graph.get($0) }))
        #expect(try !ReachabilityWalker.isAncestor(commits[39], of: commits[0], load: load, links: { try graph.get($0) }))
    }
}
