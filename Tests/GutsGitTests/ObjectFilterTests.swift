import Testing
@testable import GutsGit

@Suite struct ObjectFilterTests {
    @Test(arguments: [
        ("blob:none", ObjectFilter.blobNone),
        ("blob:limit=0", .blobLimit(0)),
        ("blob:limit=1k", .blobLimit(1024)),
        ("blob:limit=3M", .blobLimit(3 << 20)),
        ("blob:limit=2g", .blobLimit(2 << 30)),
        ("tree:0", .treeDepth(0)),
        ("tree:12", .treeDepth(12)),
        ("object:type=commit", .objectType(.commit)),
        ("combine:blob:none+tree:3", .combine([.blobNone, .treeDepth(3)])),
        ("combine:blob%3Alimit%3D10+object%3Atype%3Dtree", .combine([.blobLimit(10), .objectType(.tree)])),
    ])
    func parsesGitsSpellings(spec: String, filter: ObjectFilter) throws {
        #expect(try ObjectFilter(parsing: spec) == filter)
        // The canonical spelling parses back to the same filter.
        #expect(try ObjectFilter(parsing: filter.description) == filter)
    }

    @Test(arguments: ["", "blob", "blob:limit=", "blob:limit=k", "blob:limit=-1", "blob:limit=1t", "blob:limit=9999999999999999999",
                      "tree:", "tree:x", "tree:+1", "object:type=", "object:type=file", "combine:", "combine:blob:none",
                      "combine:blob:none+", "combine:blob:none+%zz", "Blob:none", "blob:none "])
    func refusesWhatGitRefuses(spec: String) {
        #expect(throws: ObjectFilterError.self) { try ObjectFilter(parsing: spec) }
    }

    @Test func sparseFiltersAreNamedUnsupported() {
        #expect(throws: ObjectFilterError.unsupported("sparse:oid=main:.sparse")) { try ObjectFilter(parsing: "sparse:oid=main:.sparse") }
    }

    /// The walk with a filter sends what `git rev-list --objects --filter=` lists, from
    /// the same tips and haves (tips are sent whatever the filter says, as in git).
    @Test(arguments: [
        ("blob:none", "main", nil),
        ("blob:none", "main", "old"),
        ("blob:limit=100", "main", nil),
        ("blob:limit=100", "--all", nil),
        ("tree:0", "main", nil),
        ("tree:1", "main", nil),
        ("tree:2", "--all", nil),
        ("tree:3", "--all", nil),
        ("object:type=commit", "main", nil),
        ("object:type=tree", "main", nil),
        ("object:type=blob", "main", "old"),
        ("combine:tree:2+blob:limit=50", "--all", nil),
        ("blob:none", "main:", nil),
        ("tree:0", "main^{tree}", nil),
    ] as [(String, String, String?)])
    func matchesGitRevListFilter(spec: String, tip: String, have: String?) throws {
        let fixture = try GitFixture.get()
        let tips = tip == "--all" ? try fixture.allRefTips() : [try fixture.revParse(tip)]
        let haves = try have.map { [try fixture.revParse($0)] } ?? []
        let filter = try ObjectFilter(parsing: spec)
        let objects = fixture.objects
        let result = try ReachabilityWalker.objectsAndClientObjects(
            reachableFrom: tips, excluding: haves, load: { objects[$0] }, filter: filter,
            blobSize: { objects[$0]?.body.count }).objects
        #expect(result.count == Set(result).count, "no duplicates")
        let git = try fixture.revListObjects("--filter='\(spec)' '\(tip)'" + (have.map { " '^\($0)'" } ?? ""))
        #expect(Set(result) == git, "\(Set(result).subtracting(git).count) extra, \(git.subtracting(result).count) missing")
    }
}
