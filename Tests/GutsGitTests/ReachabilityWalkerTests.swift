import Testing
@testable import GutsGit

@Suite struct ReachabilityWalkerTests {
    static func loader(_ objects: [ObjectID: RawObject]) -> ReachabilityWalker.Loader {
        { objects[$0] }
    }

    @Test(arguments: [
        ("main", "old"),
        ("main", "feature"),
        ("main", "main~20"),
        ("v1.0", "light-feature"),
        ("nested", "topic"),
        ("signed", "main"),
        ("feature", "main"),
    ])
    func matchesGitRevListObjects(tip: String, have: String) throws {
        let fixture = try GitFixture.get()
        let tipID = try fixture.revParse(tip)
        let haveID = try fixture.revParse(have)
        let result = try ReachabilityWalker.objects(reachableFrom: [tipID], excluding: [haveID], load: Self.loader(fixture.objects))
        #expect(result.count == Set(result).count, "no duplicates")
        let git = try fixture.revListObjects("'\(tip)' '^\(have)'")
        #expect(Set(result) == git)
        // Commits come first, in the result as in git.
        let types = result.map { fixture.objects[$0]!.type }
        let firstNonCommit = types.firstIndex { $0 != .commit } ?? types.count
        #expect(types[firstNonCommit...].allSatisfy { $0 != .commit })
    }

    @Test func everythingFromAllRefsWithNoHaves() throws {
        let fixture = try GitFixture.get()
        let refs = try GitTool.text("git for-each-ref --format='%(objectname)'", in: fixture.directory)
            .split(separator: "\n").compactMap { ObjectID(hex: $0) }
        let result = try ReachabilityWalker.objects(reachableFrom: refs, excluding: [], load: Self.loader(fixture.objects))
        #expect(Set(result) == (try fixture.revListObjects("--all")))
        // Unknown haves are ignored.
        let unknown = SHA1.objectID(type: .blob, body: Array("nope".utf8))
        let same = try ReachabilityWalker.objects(reachableFrom: refs, excluding: [unknown], load: Self.loader(fixture.objects))
        #expect(Set(same) == Set(result))
    }

    @Test func missingObjectsAreReported() throws {
        let fixture = try GitFixture.get()
        let tip = try fixture.revParse("main")
        var objects = fixture.objects
        let blob = try fixture.revParse("main:src/big.txt")
        let tree = try fixture.revParse("main:deep/a")
        objects[blob] = nil
        objects[tree] = nil
        #expect(throws: ReachabilityError.self) {
            try ReachabilityWalker.objects(reachableFrom: [tip], excluding: [], load: Self.loader(objects))
        }
        let missing = try ReachabilityWalker.missingObjects(reachableFrom: [tip], load: Self.loader(objects))
        #expect(Set(missing) == [blob, tree])
        #expect(try ReachabilityWalker.missingObjects(reachableFrom: [tip], load: Self.loader(fixture.objects)).isEmpty)
        // Excluding a commit that has them makes the walk not need them.
        let parent = try fixture.revParse("main~1")
        let sinceParent = try ReachabilityWalker.missingObjects(reachableFrom: [tip], excluding: [parent], load: Self.loader(objects))
        #expect(sinceParent.isEmpty)
        do {
            _ = try ReachabilityWalker.objects(reachableFrom: [tip], excluding: [], load: Self.loader(objects))
        } catch let error as ReachabilityError {
            #expect("\(error)".hasPrefix("missing object "))
        }
    }

    @Test func fastForwardChecksMatchGitMergeBase() throws {
        let fixture = try GitFixture.get()
        let load = Self.loader(fixture.objects)
        let pairs = [("old", "main"), ("main", "old"), ("feature", "main"), ("main", "feature"),
                     ("topic", "feature"), ("main~30", "topic"), ("main", "main"), ("main", "signed")]
        for (ancestor, descendant) in pairs {
            let expected = (try? GitTool.shell("git merge-base --is-ancestor '\(ancestor)' '\(descendant)'", in: fixture.directory)) != nil
            let actual = try ReachabilityWalker.isAncestor(
                try fixture.revParse(ancestor), of: try fixture.revParse(descendant), load: load)
            #expect(actual == expected, "\(ancestor) ancestor of \(descendant)")
        }
    }
}
